"""DNS module: certificates, validation records and their wiring, aliases, validation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modules.dns import CLOUDFRONT_HOSTED_ZONE_ID, DomainProps
from modules.dns.names import check_zone_id, is_inside_zone

ZONE_ID = "Z0123456789ABCDEFGHIJ"
API_HOSTS = ("api.dev.chat.example.com", "ws.dev.chat.example.com")
FRONTEND_HOSTS = ("app.dev.chat.example.com",)
REGIONAL_ARN = "arn:aws:acm:eu-west-1:111122223333:certificate/0e6b4f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
CLOUDFRONT_ARN = "arn:aws:acm:us-east-1:111122223333:certificate/7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
# What an ALB reports as dns_name / zone_id (eu-west-1's ELB zone).
ALB = ("chat-dev-1234567890.eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2")
DISTRIBUTION = ("d111111abcdef8.cloudfront.net", CLOUDFRONT_HOSTED_ZONE_ID)

BASE = DomainProps(
    name="chat-dev",
    region="eu-west-1",
    zone_name="chat.example.com",
    zone_id=ZONE_ID,
    api_host_names=API_HOSTS,
    frontend_host_names=FRONTEND_HOSTS,
)


def build_domain(stack, props, attributes, with_cloudfront_provider=True):
    from bindings.aws.provider import AwsProvider

    from bindings.cdk import TerraformOutput
    from modules.dns import Domain

    us_east_1 = None
    if with_cloudfront_provider:
        us_east_1 = AwsProvider(stack, "aws_us_east_1", region="us-east-1", alias="us_east_1")
    domain = Domain(stack, "domain", props=props, cloudfront_provider=us_east_1)
    domain.alias(props.api_host_names[0], *ALB, ipv6=False)
    if props.frontend_host_names:
        domain.alias(props.frontend_host_names[0], *DISTRIBUTION, ipv6=True, evaluate_target_health=False)
    # Outputs so the tests can follow what a consumer receives through the JSON.
    TerraformOutput(stack, "regional_certificate_arn", value=domain.regional_certificate_arn)
    if domain.cloudfront_certificate_arn is not None:
        TerraformOutput(stack, "cloudfront_certificate_arn", value=domain.cloudfront_certificate_arn)
    TerraformOutput(stack, "zone_id", value=domain.zone_id)
    attributes.update(
        regional_certificate_arn=domain.regional_certificate_arn,
        cloudfront_certificate_arn=domain.cloudfront_certificate_arn,
    )


@pytest.fixture(scope="module")
def variants(synth_scratch):
    props = {
        "created": (BASE, True),
        # Zone looked up by name, API hosts only (no us-east-1 provider at all), ECDSA keys.
        "lookup": (
            replace(
                BASE, zone_id=None, frontend_host_names=(), key_algorithm="EC_prime256v1", api_host_names=API_HOSTS[:1]
            ),
            False,
        ),
        "existing": (
            replace(BASE, regional_certificate_arn=REGIONAL_ARN, cloudfront_certificate_arn=CLOUDFRONT_ARN),
            False,
        ),
    }
    built = {}
    for name, (p, provider) in props.items():
        attributes: dict = {}
        synth = synth_scratch(lambda stack, p=p, a=attributes, v=provider: build_domain(stack, p, a, v))
        built[name] = (synth, attributes)
    return built


def certificate_named(synth, role):
    ((name, certificate),) = [(n, c) for n, c in synth.resources("aws_acm_certificate").items() if role in n]
    return name, certificate


def validation_of(synth, certificate_name):
    (validation,) = [
        v
        for v in synth.resources("aws_acm_certificate_validation").values()
        if v["certificate_arn"] == synth.reference("aws_acm_certificate", certificate_name, "arn")
    ]
    return validation


def records_of_type(synth, record_type):
    return {n: r for n, r in synth.resources("aws_route53_record").items() if r["type"] == record_type}


def output(synth, name):
    return synth.document["output"][name]["value"]


# -- certificates ------------------------------------------------------------------------


def test_regional_certificate_covers_the_api_hosts_with_dns_validation(variants):
    synth, _ = variants["created"]
    _, certificate = certificate_named(synth, "regional")
    assert certificate["domain_name"] == API_HOSTS[0]
    assert certificate["subject_alternative_names"] == list(API_HOSTS[1:])
    assert certificate["validation_method"] == "DNS"
    assert certificate["key_algorithm"] == "RSA_2048"
    assert certificate["lifecycle"] == {"create_before_destroy": True}
    assert certificate["options"] == {"certificate_transparency_logging_preference": "ENABLED", "export": "DISABLED"}
    assert "provider" not in certificate, "the load balancer's certificate belongs in the stack's region"


def test_cloudfront_certificate_is_requested_in_us_east_1(variants):
    synth, _ = variants["created"]
    name, certificate = certificate_named(synth, "cloudfront")
    assert certificate["domain_name"] == FRONTEND_HOSTS[0]
    assert "subject_alternative_names" not in certificate
    providers = {p.get("alias"): p for p in synth.document["provider"]["aws"]}
    assert certificate["provider"] == "aws.us_east_1" and providers["us_east_1"]["region"] == "us-east-1"
    assert validation_of(synth, name)["provider"] == "aws.us_east_1"


def test_key_algorithm_reaches_the_certificate(variants):
    synth, _ = variants["lookup"]
    _, certificate = certificate_named(synth, "regional")
    assert certificate["key_algorithm"] == "EC_prime256v1"


@pytest.mark.parametrize(("role", "hosts"), [("regional", API_HOSTS), ("cloudfront", FRONTEND_HOSTS)])
def test_each_host_has_a_validation_record_read_from_its_own_certificate(variants, role, hosts):
    synth, _ = variants["created"]
    name, _ = certificate_named(synth, role)
    options = f"aws_acm_certificate.{name}.domain_validation_options"
    validation = validation_of(synth, name)
    records = [synth.by_reference(fqdn) for fqdn in validation["validation_record_fqdns"]]
    assert len(records) == len(hosts)
    for host, record in zip(hosts, records, strict=True):
        # The record's name and value are this host's entry of this certificate's options.
        for attribute, value in (
            ("resource_record_name", record["name"]),
            ("resource_record_value", record["records"][0]),
        ):
            assert options in value and value.endswith(f'["{host}"].{attribute}}}'), value
        assert record["type"] == "CNAME"
        assert record["zone_id"] == ZONE_ID
        assert record["allow_overwrite"] is True
        assert "lifecycle" not in record, "a replacement record has the same name: destroy first, then write"
        assert len(record["records"]) == 1


def test_validation_waits_for_every_record_and_consumers_get_its_arn(variants):
    synth, attributes = variants["created"]
    for role, output_name in (("regional", "regional_certificate_arn"), ("cloudfront", "cloudfront_certificate_arn")):
        name, _ = certificate_named(synth, role)
        (validation_name,) = [
            n
            for n, v in synth.resources("aws_acm_certificate_validation").items()
            if v["certificate_arn"] == synth.reference("aws_acm_certificate", name, "arn")
        ]
        validation = synth.resources("aws_acm_certificate_validation")[validation_name]
        assert validation["timeouts"] == {"create": "45m"}
        assert all(ref.endswith(".fqdn}") for ref in validation["validation_record_fqdns"])
        # A listener or distribution given this ARN waits until the certificate is issued.
        assert output(synth, output_name) == synth.reference(
            "aws_acm_certificate_validation", validation_name, "certificate_arn"
        )
    assert attributes["regional_certificate_arn"] != attributes["cloudfront_certificate_arn"]


def test_no_frontend_hosts_means_no_us_east_1_certificate(variants):
    synth, attributes = variants["lookup"]
    assert list(synth.resources("aws_acm_certificate")) == [certificate_named(synth, "regional")[0]]
    assert attributes["cloudfront_certificate_arn"] is None
    assert all(p.get("alias") is None for p in synth.document["provider"]["aws"])


def test_existing_certificates_are_used_and_nothing_is_requested(variants):
    synth, attributes = variants["existing"]
    assert synth.resources("aws_acm_certificate") == {}
    assert synth.resources("aws_acm_certificate_validation") == {}
    assert records_of_type(synth, "CNAME") == {}
    assert attributes == {"regional_certificate_arn": REGIONAL_ARN, "cloudfront_certificate_arn": CLOUDFRONT_ARN}
    assert output(synth, "regional_certificate_arn") == REGIONAL_ARN
    assert len(records_of_type(synth, "A")) == 2


# -- zone and aliases ----------------------------------------------------------------------


def test_zone_is_looked_up_by_name_among_public_zones_when_no_id_is_given(variants):
    synth, _ = variants["lookup"]
    ((zone_name, zone),) = synth.data("aws_route53_zone").items()
    assert zone == {**zone, "name": "chat.example.com", "private_zone": False}
    reference = f"${{data.aws_route53_zone.{zone_name}.zone_id}}"
    assert output(synth, "zone_id") == reference
    assert {r["zone_id"] for r in synth.resources("aws_route53_record").values()} == {reference}
    assert variants["created"][0].data("aws_route53_zone") == {}


def test_aliases_point_at_their_targets_with_aaaa_only_where_the_target_serves_ipv6(variants):
    synth, _ = variants["created"]
    aliases = {(r["name"], r["type"]): r for r in synth.resources("aws_route53_record").values() if "alias" in r}
    # Issue 24, finding 8: the IPv4-only load balancer gets no AAAA record; CloudFront does.
    assert sorted(aliases) == sorted([(API_HOSTS[0], "A"), (FRONTEND_HOSTS[0], "A"), (FRONTEND_HOSTS[0], "AAAA")])
    api = aliases[(API_HOSTS[0], "A")]
    assert api["alias"] == {"name": ALB[0], "zone_id": ALB[1], "evaluate_target_health": True}
    for record_type in ("A", "AAAA"):
        frontend = aliases[(FRONTEND_HOSTS[0], record_type)]
        assert frontend["alias"] == {
            "name": DISTRIBUTION[0],
            "zone_id": DISTRIBUTION[1],
            "evaluate_target_health": False,
        }
        assert api["zone_id"] == frontend["zone_id"] == ZONE_ID
        assert "ttl" not in api and "records" not in api


def test_alias_refuses_hosts_without_a_certificate_repeats_and_health_checks_on_cloudfront(synth_scratch):
    from modules.dns import Domain

    def build(stack):
        domain = Domain(stack, "domain", props=replace(BASE, frontend_host_names=(), api_host_names=API_HOSTS))
        with pytest.raises(ValueError) as unknown:
            domain.alias("www.dev.chat.example.com", *ALB, ipv6=False)
        assert str(unknown.value) == (
            "alias host: expected one of the hosts with a certificate here "
            '(api.dev.chat.example.com, ws.dev.chat.example.com), got "www.dev.chat.example.com"'
        )
        with pytest.raises(ValueError, match=r"^alias evaluate_target_health: expected false for a CloudFront target"):
            domain.alias(API_HOSTS[0], *DISTRIBUTION, ipv6=True)
        domain.alias(API_HOSTS[0], *ALB, ipv6=False)
        with pytest.raises(ValueError) as repeated:
            domain.alias(API_HOSTS[0], *ALB, ipv6=False)
        assert str(repeated.value) == (
            'alias host: expected a host without an alias yet, got "api.dev.chat.example.com" a second time'
        )

    synth_scratch(build)


def test_cloudfront_provider_is_required_only_when_its_certificate_is_requested(synth_scratch):
    from bindings.aws.provider import AwsProvider

    from modules.dns import Domain

    def build(stack):
        with pytest.raises(ValueError) as missing:
            Domain(stack, "no_provider", props=BASE)
        assert str(missing.value).startswith("cloudfront_provider: expected an AWS provider for us-east-1")
        ireland = AwsProvider(stack, "aws_ireland", region="eu-west-1", alias="ireland")
        with pytest.raises(ValueError) as wrong_region:
            Domain(stack, "wrong_region", props=BASE, cloudfront_provider=ireland)
        assert str(wrong_region.value) == (
            "cloudfront_provider: expected an AWS provider for us-east-1 (CloudFront reads "
            "certificates from there only), got one for eu-west-1"
        )
        # A given CloudFront certificate needs no us-east-1 provider.
        Domain(stack, "given", props=replace(BASE, cloudfront_certificate_arn=CLOUDFRONT_ARN))

    synth_scratch(build)


# -- pure checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "inside"),
    [
        ("chat.example.com", True),
        ("api.chat.example.com", True),
        ("a.b.chat.example.com", True),
        ("xchat.example.com", False),
        ("chat.example.com.evil.org", False),
        ("example.com", False),
    ],
)
def test_inside_the_zone_goes_label_by_label(host, inside):
    assert is_inside_zone(host, "chat.example.com") is inside


def test_zone_id_check_lets_cdktf_references_through_but_not_terraform_syntax():
    assert check_zone_id("${TfToken[TOKEN.42]}") == "${TfToken[TOKEN.42]}"
    with pytest.raises(ValueError, match="expected a Route53 hosted zone id"):
        check_zone_id("${var.zone_id}")


# -- props validation ----------------------------------------------------------------------

LABELS = (
    'expected a lowercase DNS name of at least two labels, each 1-63 characters of a-z, 0-9 and "-" '
    'not starting or ending with "-" (such as api.dev.chat.example.com), got '
)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"api_host_names": ("api.other.org",)},
            'api_host_names: expected a host name inside the zone "chat.example.com", got "api.other.org"',
        ),
        (
            {"frontend_host_names": ("app.example.com", "chat.example.com")},
            'frontend_host_names: expected a host name inside the zone "chat.example.com", got "app.example.com"',
        ),
        (
            {"frontend_host_names": ("ws.dev.chat.example.com",)},
            "frontend_host_names: expected host names not already in api_host_names, "
            "got 'ws.dev.chat.example.com' in both",
        ),
        ({"api_host_names": ("API.chat.example.com",)}, f'api_host_names: {LABELS}"API.chat.example.com" (string)'),
        ({"api_host_names": ("api_1.chat.example.com",)}, f'api_host_names: {LABELS}"api_1.chat.example.com" (string)'),
        ({"api_host_names": ("-api.chat.example.com",)}, f'api_host_names: {LABELS}"-api.chat.example.com" (string)'),
        (
            {"api_host_names": (f"{'a' * 64}.chat.example.com",)},
            f'api_host_names: {LABELS}"{"a" * 64}.chat.example.com" (string)',
        ),
        (
            {"api_host_names": ("api.chat.example.com.",)},
            'api_host_names: expected a name without the trailing ".", got "api.chat.example.com." (string)',
        ),
        (
            {"api_host_names": ("*.chat.example.com",)},
            'api_host_names: expected a host name without wildcards, got "*.chat.example.com" (string)',
        ),
        ({"api_host_names": ()}, "api_host_names: expected at least 1 host name, got none"),
        (
            {"api_host_names": ("api.chat.example.com", "api.chat.example.com")},
            "api_host_names: expected each host name once, got 'api.chat.example.com' more than once",
        ),
        (
            {"api_host_names": tuple(f"h{i}.chat.example.com" for i in range(11))},
            "api_host_names: expected at most 10 host names (ACM's quota of names per certificate), got 11",
        ),
        ({"zone_name": "localhost"}, f'zone_name: {LABELS}"localhost" (string)'),
        (
            {"zone_id": "/hostedzone/Z0123456789ABCDEFGHIJ"},
            'zone_id: expected a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (without "/hostedzone/"), '
            'got "/hostedzone/Z0123456789ABCDEFGHIJ" (string)',
        ),
        (
            {"regional_certificate_arn": CLOUDFRONT_ARN},
            "regional_certificate_arn: expected an ACM certificate ARN in the stack's region eu-west-1 (a load "
            f'balancer uses certificates from its own region only), got region us-east-1 in "{CLOUDFRONT_ARN}"',
        ),
        (
            {"cloudfront_certificate_arn": REGIONAL_ARN},
            "cloudfront_certificate_arn: expected an ACM certificate ARN in us-east-1 (CloudFront uses "
            f'certificates from us-east-1 only), got region eu-west-1 in "{REGIONAL_ARN}"',
        ),
        (
            {"regional_certificate_arn": "arn:aws:iam::111122223333:server-certificate/chat"},
            "regional_certificate_arn: expected an ACM certificate ARN such as "
            "arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>, "
            'got "arn:aws:iam::111122223333:server-certificate/chat" (string)',
        ),
        (
            {"frontend_host_names": (), "cloudfront_certificate_arn": CLOUDFRONT_ARN},
            "cloudfront_certificate_arn: expected no CloudFront certificate when frontend_host_names is empty "
            f'(nothing would use it), got "{CLOUDFRONT_ARN}"',
        ),
        (
            {"key_algorithm": "RSA_4096"},
            "key_algorithm: expected one of 'RSA_2048' or 'EC_prime256v1', got \"RSA_4096\" (string)",
        ),
    ],
)
def test_props_reject_bad_values_with_the_exact_message(change, message):
    with pytest.raises(ValueError, match="^invalid DomainProps:") as caught:
        replace(BASE, **change)
    assert message in [line.strip() for line in str(caught.value).splitlines()[1:]]


def test_a_host_outside_the_zone_is_not_judged_against_a_broken_zone_name():
    with pytest.raises(ValueError) as caught:
        replace(BASE, zone_name="Chat.Example.com", api_host_names=("api.other.org",))
    assert [line.split(":")[0].strip() for line in str(caught.value).splitlines()[1:]] == ["zone_name"]


def test_the_dns_block_is_derived_from_the_props_with_the_same_checks():
    from pydantic import ValidationError

    from modules.common.inputs import cross_check_problems, environment_block, environment_fields

    block = environment_block(DomainProps, "DnsConfig")
    assert list(block.model_fields) == [f.name for f in environment_fields(DomainProps)]
    assert {"name", "region", "tags"}.isdisjoint(block.model_fields)
    assert block.model_fields["key_algorithm"].default == "RSA_2048"
    assert block.model_fields["api_host_names"].is_required()
    with pytest.raises(ValidationError, match="expected a host name without wildcards"):
        block(zone_name="chat.example.com", api_host_names=["*.chat.example.com"])
    values = block(
        zone_name="chat.example.com", api_host_names=["api.other.org"], regional_certificate_arn=CLOUDFRONT_ARN
    )
    problems = dict(cross_check_problems(DomainProps, {"region": "eu-west-1", **values.model_dump()}))
    assert problems["api_host_names"] == 'expected a host name inside the zone "chat.example.com", got "api.other.org"'
    assert problems["regional_certificate_arn"].startswith("expected an ACM certificate ARN in the stack's region")
