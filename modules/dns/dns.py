"""Domain: TLS certificates for the environment's public hosts, and their DNS records.

- A certificate for the API hosts in the stack's region (the load balancer's) and, when
  there are frontend hosts, one in us-east-1 (the only region CloudFront reads), each
  requested with DNS validation; or existing certificates given by ARN.
- The validation CNAME records in the environment's Route53 zone, and an
  `aws_acm_certificate_validation` per certificate, whose ARN is what consumers get, so
  a listener or distribution is only created once its certificate is issued.
- `alias()`: A and AAAA alias records pointing a host at a load balancer or a
  CloudFront distribution.
"""

from __future__ import annotations

from bindings.aws.acm_certificate import AcmCertificate, AcmCertificateOptions
from bindings.aws.acm_certificate_validation import (
    AcmCertificateValidation,
    AcmCertificateValidationTimeouts,
)
from bindings.aws.data_aws_route53_zone import DataAwsRoute53Zone
from bindings.aws.route53_record import Route53Record, Route53RecordAlias
from constructs import Construct

from bindings.cdk import Fn, TerraformIterator, TerraformProvider, TerraformResourceLifecycle
from modules.common.certificates import CLOUDFRONT_CERTIFICATE_REGION
from modules.common.tokens import is_unresolved
from modules.dns.names import CLOUDFRONT_HOSTED_ZONE_ID
from modules.dns.props import DomainProps

# TTL of the validation CNAMEs. ACM reads them at issuance and again at every renewal
# (they must stay), so the value hardly matters; a minute lets a corrected record be
# seen quickly.
_VALIDATION_RECORD_TTL_SECONDS = 60

# How long an apply waits for ACM to issue a certificate. AWS says DNS validation can take
# up to 30 minutes once the records resolve; 45 minutes covers that plus propagation and
# fails a broken delegation (the zone not authoritative for the hosts) well before the
# provider's default of 75 minutes. ACM keeps trying for 72 hours: a re-apply resumes.
_VALIDATION_TIMEOUT = "45m"


class Domain(Construct):
    """Certificates (created or given) for the API and frontend hosts, and their DNS records.

    Typed outputs (attributes): zone_id, zone_name, api_host_names, frontend_host_names,
    regional_certificate_arn, cloudfront_certificate_arn (None without frontend hosts).
    Helper: alias(host, target_dns_name, target_zone_id, evaluate_target_health=True).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: DomainProps,
        cloudfront_provider: TerraformProvider | None = None,
    ) -> None:
        """`cloudfront_provider`: an AWS provider for us-east-1, needed only when the module
        requests the CloudFront certificate (frontend hosts and no cloudfront_certificate_arn)."""
        super().__init__(scope, construct_id)
        self.props = props
        _check_cloudfront_provider(props, cloudfront_provider)

        self.zone_name: str = props.zone_name
        self.zone_id: str = props.zone_id or self._look_up_zone()
        self.api_host_names: tuple[str, ...] = tuple(props.api_host_names)
        self.frontend_host_names: tuple[str, ...] = tuple(props.frontend_host_names)
        self._aliased: set[str] = set()

        self.regional_certificate_arn: str = props.regional_certificate_arn or self._validated_certificate(
            "regional", self.api_host_names, provider=None
        )
        self.cloudfront_certificate_arn: str | None = None
        if self.frontend_host_names:
            self.cloudfront_certificate_arn = props.cloudfront_certificate_arn or self._validated_certificate(
                "cloudfront", self.frontend_host_names, provider=cloudfront_provider
            )

    # -- aliases ---------------------------------------------------------------------

    def alias(
        self,
        host: str,
        target_dns_name: str,
        target_zone_id: str,
        *,
        ipv6: bool,
        evaluate_target_health: bool = True,
    ) -> tuple[Route53Record, ...]:
        """An A alias record for `host` (one of this construct's hosts) in the zone, and an
        AAAA one when `ipv6` says the target serves IPv6.

        Load balancer: its dns_name and zone_id, evaluate_target_health=True, so Route53
        stops answering with a load balancer that has no healthy target. CloudFront: its
        domain_name and hosted_zone_id, evaluate_target_health=False (AWS refuses True
        there). `ipv6` has no default: only the caller knows whether the target is dual-stack
        (a distribution with is_ipv6_enabled, a load balancer with ip_address_type
        "dualstack"). An AAAA alias at an IPv4-only target (issue 24, finding 8) answers
        nothing, which some resolvers cache as "no such name" for the host.
        """
        if host not in self.api_host_names + self.frontend_host_names:
            served = ", ".join(self.api_host_names + self.frontend_host_names)
            raise ValueError(f'alias host: expected one of the hosts with a certificate here ({served}), got "{host}"')
        if host in self._aliased:
            raise ValueError(f'alias host: expected a host without an alias yet, got "{host}" a second time')
        if target_zone_id == CLOUDFRONT_HOSTED_ZONE_ID and evaluate_target_health:
            raise ValueError(
                "alias evaluate_target_health: expected false for a CloudFront target (AWS does not "
                "evaluate a distribution's health), got true"
            )
        self._aliased.add(host)
        target = Route53RecordAlias(
            name=target_dns_name, zone_id=target_zone_id, evaluate_target_health=evaluate_target_health
        )
        # Construct IDs "alias_a_api_dev_chat_example_com" are part of the contract.
        return tuple(
            Route53Record(
                self,
                f"alias_{record_type.lower()}_{_id_of(host)}",
                zone_id=self.zone_id,
                name=host,
                type=record_type,
                alias=target,
            )
            for record_type in (("A", "AAAA") if ipv6 else ("A",))
        )

    # -- certificates ----------------------------------------------------------------

    def _look_up_zone(self) -> str:
        return DataAwsRoute53Zone(self, "zone", name=self.props.zone_name, private_zone=False).zone_id  # type: ignore[no-any-return]  # a provider/CDK attribute: Any to mypy (pyproject.toml)

    def _validated_certificate(self, role: str, hosts: tuple[str, ...], provider: TerraformProvider | None) -> str:
        """Request a certificate for `hosts`, write its validation records, wait for issuance.

        Returns the ARN of the validation resource, so whatever uses it waits for issuance.
        """
        props = self.props
        certificate = AcmCertificate(
            self,
            f"{role}_certificate",
            provider=provider,
            domain_name=hosts[0],
            subject_alternative_names=list(hosts[1:]) or None,
            validation_method="DNS",
            key_algorithm=props.key_algorithm,
            options=AcmCertificateOptions(
                # Browsers reject public certificates missing from CT logs; the logs also
                # let the domain's owner spot certificates nobody here requested.
                certificate_transparency_logging_preference="ENABLED",
                # The private key never leaves ACM (exportable certificates cost extra and
                # would make the key a secret to guard).
                export="DISABLED",
            ),
            # A certificate in use by a listener or distribution cannot be deleted: a
            # replacement (new names, new key type) must exist before the old one goes.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            tags={**props.tags, "Name": f"{props.name}-{role}"},
        )
        # The certificate's validation options are a set (unordered): a map keyed by
        # domain name lets each host's record pick its own entry.
        options = TerraformIterator.from_list(certificate.domain_validation_options)
        options_by_domain = options.for_expression_for_map("val.domain_name", "val")
        records = [self._validation_record(options_by_domain, host) for host in hosts]
        validation = AcmCertificateValidation(
            self,
            f"{role}_certificate_validation",
            provider=provider,
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn for record in records],
            timeouts=AcmCertificateValidationTimeouts(create=_VALIDATION_TIMEOUT),
        )
        return validation.certificate_arn  # type: ignore[no-any-return]  # a provider/CDK attribute: Any to mypy (pyproject.toml)

    def _validation_record(self, options_by_domain: object, host: str) -> Route53Record:
        """The CNAME ACM asks for to prove control of `host`.

        One record per host, named after it, rather than one record with for_each over
        domain_validation_options: the hosts are known at synthesis, so each record has
        a literal address ("validation_record_api_dev_chat_example_com") that reviewers,
        checkov and tests can follow, and adding a host adds exactly one record. Hosts are
        lowercase, as ACM keys its validation options.
        """

        def option(attribute: str) -> str:
            return Fn.lookup_nested(options_by_domain, [host, attribute])  # type: ignore[no-any-return]  # a provider/CDK attribute: Any to mypy (pyproject.toml)

        return Route53Record(
            self,
            f"validation_record_{_id_of(host)}",
            zone_id=self.zone_id,
            name=option("resource_record_name"),
            # ACM's DNS validation always asks for a CNAME; literal, so the plan shows it.
            type="CNAME",
            records=[option("resource_record_value")],
            ttl=_VALIDATION_RECORD_TTL_SECONDS,
            # ACM derives the record from the account and the name, so a certificate that
            # replaces this one (create_before_destroy), or one requested earlier by hand,
            # needs the very same record: take it over instead of failing on "already exists".
            # Deliberately not create_before_destroy: when a certificate is replaced, the
            # record is destroyed, then written again under the same name; the other order
            # would delete the record it had just written.
            allow_overwrite=True,
        )


def _id_of(host: str) -> str:
    """A construct ID for a host: dots become underscores (host names have none)."""
    return host.replace(".", "_")


def _check_cloudfront_provider(props: DomainProps, provider: TerraformProvider | None) -> None:
    if not props.creates_cloudfront_certificate:
        return
    if provider is None:
        raise ValueError(
            "cloudfront_provider: expected an AWS provider for us-east-1 (frontend_host_names "
            "are given without cloudfront_certificate_arn, so the CloudFront certificate is "
            "requested there), got none"
        )
    region = getattr(provider, "region", None)
    if isinstance(region, str) and not is_unresolved(region) and region != CLOUDFRONT_CERTIFICATE_REGION:
        raise ValueError(
            f"cloudfront_provider: expected an AWS provider for {CLOUDFRONT_CERTIFICATE_REGION} "
            f"(CloudFront reads certificates from there only), got one for {region}"
        )
