"""Frontend module: OAC wiring, TLS and certificate, security headers, SPA routing, logs, WAF, validation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modules.frontend import DEFAULT_CONTENT_SECURITY_POLICY, FrontendProps
from modules.frontend.props import MAX_CONTENT_SECURITY_POLICY_CHARS

CERT = "arn:aws:acm:us-east-1:111122223333:certificate/0f3c1a2b-1234-4abc-9def-0123456789ab"
WEB_ACL = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/chat-edge/0f3c1a2b-1234-4abc-9def-0123456789ab"
BASE = FrontendProps(
    name="chat-test",
    region="eu-west-1",
    certificate_arn=CERT,
    aliases=("app.test.chat.example.com",),
    account_id="111122223333",
)
CUSTOM_CSP = "default-src 'self'; connect-src 'self' https://api.test.chat.example.com wss://api.test.chat.example.com"
AWS_LOG_DELIVERY = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"


def cloudfront_web_acl(stack):
    """What the WAF module gives: a CLOUDFRONT-scope ACL with the rule groups checkov's CKV2_AWS_47 wants."""
    from bindings.aws.wafv2_web_acl import (
        Wafv2WebAcl,
        Wafv2WebAclDefaultAction,
        Wafv2WebAclDefaultActionAllow,
        Wafv2WebAclRule,
        Wafv2WebAclRuleOverrideAction,
        Wafv2WebAclRuleOverrideActionNone,
        Wafv2WebAclRuleVisibilityConfig,
        Wafv2WebAclVisibilityConfig,
    )

    def metrics(name, config_class):
        return config_class(cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True)

    return Wafv2WebAcl(
        stack,
        "edge_acl",
        name="chat-test-edge",
        scope="CLOUDFRONT",
        default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
        visibility_config=metrics("edge", Wafv2WebAclVisibilityConfig),
        rule=[
            Wafv2WebAclRule(
                name=group,
                priority=priority,
                override_action=Wafv2WebAclRuleOverrideAction(none=Wafv2WebAclRuleOverrideActionNone()),
                statement={"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
                visibility_config=metrics(group, Wafv2WebAclRuleVisibilityConfig),
            )
            for priority, group in enumerate(("AWSManagedRulesAnonymousIpList", "AWSManagedRulesKnownBadInputsRuleSet"))
        ],
    )


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from modules.frontend import Frontend

    def default(stack):
        Frontend(stack, "frontend", props=BASE)

    def looked_up(stack):
        Frontend(stack, "frontend", props=replace(BASE, account_id=None))

    def with_waf_module(stack):
        Frontend(stack, "frontend", props=replace(BASE, web_acl_arn=cloudfront_web_acl(stack).arn))

    def with_external_acl(stack):
        Frontend(stack, "frontend", props=replace(BASE, web_acl_arn=WEB_ACL))

    def tuned(stack):
        frontend = Frontend(
            stack,
            "frontend",
            props=replace(
                BASE, price_class="PriceClass_All", log_expiration_days=30, content_security_policy=CUSTOM_CSP
            ),
        )
        frontend.grant_deploy("chat-test-ci")

    builders = {
        "default": default,
        "looked_up": looked_up,
        "with_waf_module": with_waf_module,
        "with_external_acl": with_external_acl,
        "tuned": tuned,
    }
    return {name: synth_scratch(build) for name, build in builders.items()}


def only(synth, resource_type):
    ((name, block),) = synth.resources(resource_type).items()
    return name, block


def distribution_of(synth):
    return only(synth, "aws_cloudfront_distribution")


def site_bucket(synth):
    (found,) = [(n, b) for n, b in synth.resources("aws_s3_bucket").items() if "-frontend-logs-" not in b["bucket"]]
    return found


def log_bucket(synth):
    (found,) = [(n, b) for n, b in synth.resources("aws_s3_bucket").items() if "-frontend-logs-" in b["bucket"]]
    return found


def attached_to(synth, resource_type, bucket_name):
    """The `resource_type` block whose `bucket` is the given bucket."""
    (block,) = [
        b
        for b in synth.resources(resource_type).values()
        if b["bucket"] == synth.reference("aws_s3_bucket", bucket_name)
    ]
    return block


def policy_statements_of(synth, resource_type, bucket_name):
    return synth.data_by_reference(attached_to(synth, resource_type, bucket_name)["policy"])["statement"]


def key_policy_statements(synth):
    (_, key_policy) = only(synth, "aws_kms_key_policy")
    return {s["sid"]: s for s in synth.data_by_reference(key_policy["policy"])["statement"]}


def waivers_of(synth, name):
    return synth.document.get("//", {}).get("checkov_waivers", {}).get(name, {})


# -- origin access control -----------------------------------------------------------


def test_the_only_origin_is_the_site_bucket_through_origin_access_control(variants):
    synth = variants["default"]
    (_, distribution) = distribution_of(synth)
    (origin,) = distribution["origin"]
    (site_name, _) = site_bucket(synth)
    assert origin["domain_name"] == synth.reference("aws_s3_bucket", site_name, "bucket_regional_domain_name")
    assert "s3_origin_config" not in origin and "custom_origin_config" not in origin
    access_control = synth.by_reference(origin["origin_access_control_id"])
    assert access_control["origin_access_control_origin_type"] == "s3"
    assert access_control["signing_protocol"] == "sigv4"
    assert access_control["signing_behavior"] == "always"
    assert distribution["default_cache_behavior"]["target_origin_id"] == origin["origin_id"]


def test_bucket_policy_lets_only_this_distribution_read(variants):
    synth = variants["default"]
    (distribution_name, _) = distribution_of(synth)
    (site_name, site) = site_bucket(synth)
    statements = policy_statements_of(synth, "aws_s3_bucket_policy", site_name)
    allows = [s for s in statements if s["effect"] == "Allow"]
    (read,) = allows
    assert read["principals"] == [{"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}]
    assert read["actions"] == ["s3:GetObject"]
    assert read["resources"] == [f"arn:aws:s3:::{site['bucket']}/*"]
    assert read["condition"] == [
        {
            "test": "StringEquals",
            "variable": "AWS:SourceArn",
            "values": [synth.reference("aws_cloudfront_distribution", distribution_name, "arn")],
        }
    ]


def test_key_lets_only_this_distribution_decrypt_only_site_objects(variants):
    synth = variants["default"]
    (distribution_name, _) = distribution_of(synth)
    (_, site) = site_bucket(synth)
    decrypt = key_policy_statements(synth)["CloudFrontDecryptsSite"]
    assert decrypt["principals"] == [{"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}]
    assert decrypt["actions"] == ["kms:Decrypt"]
    arn = f"arn:aws:s3:::{site['bucket']}"
    assert {(c["variable"], tuple(c["values"])) for c in decrypt["condition"]} == {
        ("AWS:SourceArn", (synth.reference("aws_cloudfront_distribution", distribution_name, "arn"),)),
        ("kms:EncryptionContext:aws:s3:arn", (arn, f"{arn}/*")),
    }


def test_site_bucket_is_private_encrypted_and_has_acls_off(variants):
    synth = variants["default"]
    (site_name, _) = site_bucket(synth)
    (key_name, _) = only(synth, "aws_kms_key")
    block = attached_to(synth, "aws_s3_bucket_public_access_block", site_name)
    assert all(
        block[k] for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    assert attached_to(synth, "aws_s3_bucket_ownership_controls", site_name)["rule"] == {
        "object_ownership": "BucketOwnerEnforced"
    }
    (rule,) = attached_to(synth, "aws_s3_bucket_server_side_encryption_configuration", site_name)["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": synth.reference("aws_kms_key", key_name, "arn"),
    }
    assert attached_to(synth, "aws_s3_bucket_versioning", site_name)["versioning_configuration"]["status"] == "Enabled"
    deny = next(s for s in policy_statements_of(synth, "aws_s3_bucket_policy", site_name) if s["effect"] == "Deny")
    assert deny["condition"][0]["variable"] == "aws:SecureTransport"


# -- viewers: TLS, certificate, behaviour -------------------------------------------


def test_viewers_get_https_only_with_tls12_and_the_us_east_1_certificate(variants):
    (_, distribution) = distribution_of(variants["default"])
    assert distribution["viewer_certificate"] == {
        "acm_certificate_arn": CERT,
        "minimum_protocol_version": "TLSv1.2_2021",
        "ssl_support_method": "sni-only",
    }
    assert distribution["default_cache_behavior"]["viewer_protocol_policy"] == "redirect-to-https"
    assert distribution["aliases"] == ["app.test.chat.example.com"]
    assert distribution["enabled"] is True and distribution["is_ipv6_enabled"] is True


def test_default_behaviour_reads_only_with_managed_caching_optimized_and_compression(variants):
    (_, distribution) = distribution_of(variants["default"])
    behaviour = distribution["default_cache_behavior"]
    assert behaviour["cache_policy_id"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    assert behaviour["compress"] is True
    assert behaviour["allowed_methods"] == ["GET", "HEAD"] and behaviour["cached_methods"] == ["GET", "HEAD"]
    assert "forwarded_values" not in behaviour, "a cache policy and legacy forwarded_values exclude each other"


def test_spa_routes_missing_keys_to_index_html_with_short_error_caching(variants):
    (_, distribution) = distribution_of(variants["default"])
    assert distribution["default_root_object"] == "index.html"
    responses = {r["error_code"]: r for r in distribution["custom_error_response"]}
    assert sorted(responses) == [403, 404]
    for response in responses.values():
        assert (response["response_code"], response["response_page_path"]) == (200, "/index.html")
        assert 0 < response["error_caching_min_ttl"] <= 60


# -- security headers ------------------------------------------------------------------


def headers_of(synth):
    (_, distribution) = distribution_of(synth)
    return synth.by_reference(distribution["default_cache_behavior"]["response_headers_policy_id"])


def test_security_headers_policy_is_attached_with_hsts_preload_and_the_default_csp(variants):
    policy = headers_of(variants["default"])
    config = policy["security_headers_config"]
    hsts = config["strict_transport_security"]
    assert hsts["preload"] is True and hsts["include_subdomains"] is True
    assert hsts["access_control_max_age_sec"] >= 31_536_000, "the preload list asks for at least a year"
    assert config["frame_options"]["frame_option"] == "DENY"
    assert config["referrer_policy"]["referrer_policy"] == "strict-origin-when-cross-origin"
    assert config["xss_protection"] == {"protection": True, "mode_block": True, "override": True}
    assert config["content_type_options"] == {"override": True}
    assert config["content_security_policy"]["content_security_policy"] == DEFAULT_CONTENT_SECURITY_POLICY
    assert all(header["override"] is True for header in config.values())


def test_content_security_policy_comes_from_props(variants):
    config = headers_of(variants["tuned"])["security_headers_config"]
    assert config["content_security_policy"]["content_security_policy"] == CUSTOM_CSP


def test_headers_naming_the_kms_key_are_removed(variants):
    removed = {item["header"] for item in headers_of(variants["default"])["remove_headers_config"]["items"]}
    assert "x-amz-server-side-encryption-aws-kms-key-id" in removed


# -- price class ---------------------------------------------------------------------


def test_price_class_defaults_to_the_cheapest_and_follows_props(variants):
    assert distribution_of(variants["default"])[1]["price_class"] == "PriceClass_100"
    assert distribution_of(variants["tuned"])[1]["price_class"] == "PriceClass_All"


# -- access logs -----------------------------------------------------------------------


def test_access_logs_go_to_the_log_bucket_after_its_acl_exists(variants):
    synth = variants["default"]
    (_, distribution) = distribution_of(synth)
    (log_name, _) = log_bucket(synth)
    logging = distribution["logging_config"]
    assert logging["bucket"] == synth.reference("aws_s3_bucket", log_name, "bucket_domain_name")
    assert logging["include_cookies"] is False and logging["prefix"] == "cloudfront/"
    ((acl_name, acl),) = synth.resources("aws_s3_bucket_acl").items()
    assert acl["bucket"] == synth.reference("aws_s3_bucket", log_name)
    assert f"aws_s3_bucket_acl.{acl_name}" in distribution["depends_on"]


def test_log_bucket_grants_cloudfront_log_delivery_through_its_acl(variants):
    synth = variants["default"]
    (log_name, _) = log_bucket(synth)
    assert attached_to(synth, "aws_s3_bucket_ownership_controls", log_name)["rule"] == {
        "object_ownership": "BucketOwnerPreferred"
    }
    grants = attached_to(synth, "aws_s3_bucket_acl", log_name)["access_control_policy"]["grant"]
    assert {(g["grantee"]["id"], g["permission"]) for g in grants} >= {(AWS_LOG_DELIVERY, "FULL_CONTROL")}
    block = attached_to(synth, "aws_s3_bucket_public_access_block", log_name)
    assert block["block_public_acls"] is True and block["ignore_public_acls"] is True


def test_log_bucket_is_encrypted_and_expires_logs_after_the_configured_days(variants):
    for variant, days in (("default", 90), ("tuned", 30)):
        synth = variants[variant]
        (log_name, _) = log_bucket(synth)
        (key_name, _) = only(synth, "aws_kms_key")
        (rule,) = attached_to(synth, "aws_s3_bucket_lifecycle_configuration", log_name)["rule"]
        assert rule["expiration"] == [{"days": days}]
        (encryption,) = attached_to(synth, "aws_s3_bucket_server_side_encryption_configuration", log_name)["rule"]
        assert encryption["apply_server_side_encryption_by_default"]["kms_master_key_id"] == synth.reference(
            "aws_kms_key", key_name, "arn"
        )


def test_log_delivery_may_only_encrypt_log_bucket_objects_through_s3(variants):
    synth = variants["default"]
    (_, logs) = log_bucket(synth)
    statement = key_policy_statements(synth)["LogDeliveryEncryptsAccessLogs"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["delivery.logs.amazonaws.com"]}]
    assert statement["actions"] == ["kms:GenerateDataKey*"]
    arn = f"arn:aws:s3:::{logs['bucket']}"
    assert {(c["variable"], tuple(c["values"])) for c in statement["condition"]} == {
        ("kms:ViaService", ("s3.eu-west-1.amazonaws.com",)),
        ("kms:EncryptionContext:aws:s3:arn", (arn, f"{arn}/*")),
    }


# -- names, lookups ----------------------------------------------------------------------


def test_bucket_names_carry_account_and_region(variants):
    names = sorted(b["bucket"] for b in variants["default"].resources("aws_s3_bucket").values())
    assert names == ["chat-test-frontend-111122223333-eu-west-1", "chat-test-frontend-logs-111122223333-eu-west-1"]
    assert variants["default"].data("aws_caller_identity") == {}
    looked_up = variants["looked_up"]
    (identity,) = looked_up.data("aws_caller_identity")
    assert all(
        f"data.aws_caller_identity.{identity}.account_id" in b["bucket"]
        for b in looked_up.resources("aws_s3_bucket").values()
    )


# -- web ACL ---------------------------------------------------------------------------


def test_without_a_web_acl_the_waf_checks_are_waived_with_a_reason(variants):
    synth = variants["default"]
    (name, distribution) = distribution_of(synth)
    assert "web_acl_id" not in distribution
    waivers = waivers_of(synth, name)
    assert {"CKV_AWS_68", "CKV2_AWS_47"} <= set(waivers)
    assert "web_acl_arn not given" in waivers["CKV_AWS_68"]


def test_a_web_acl_from_the_waf_module_is_attached_and_nothing_is_waived(variants):
    synth = variants["with_waf_module"]
    (name, distribution) = distribution_of(synth)
    ((acl_name, acl),) = synth.resources("aws_wafv2_web_acl").items()
    assert distribution["web_acl_id"] == synth.reference("aws_wafv2_web_acl", acl_name, "arn")
    assert acl["scope"] == "CLOUDFRONT"
    assert {"CKV_AWS_68", "CKV2_AWS_47"}.isdisjoint(waivers_of(synth, name))


def test_an_external_web_acl_is_attached_and_only_the_unseen_rules_are_waived(variants):
    synth = variants["with_external_acl"]
    (name, distribution) = distribution_of(synth)
    assert distribution["web_acl_id"] == WEB_ACL
    waivers = waivers_of(synth, name)
    assert "CKV_AWS_68" not in waivers and WEB_ACL in waivers["CKV2_AWS_47"]


# -- deploy grant ------------------------------------------------------------------------


def test_deploy_grant_reaches_only_this_sites_bucket_key_and_distribution(variants):
    synth = variants["tuned"]
    (_, role_policy) = only(synth, "aws_iam_role_policy")
    assert role_policy["role"] == "chat-test-ci"
    statements = {s["sid"]: s for s in synth.data_by_reference(role_policy["policy"])["statement"]}
    (_, site) = site_bucket(synth)
    (key_name, _) = only(synth, "aws_kms_key")
    (distribution_name, _) = distribution_of(synth)
    arn = f"arn:aws:s3:::{site['bucket']}"
    assert statements["ListSite"]["resources"] == [arn]
    assert statements["PublishSite"]["resources"] == [f"{arn}/*"]
    assert statements["EncryptSite"]["resources"] == [synth.reference("aws_kms_key", key_name, "arn")]
    assert statements["InvalidateSite"]["resources"] == [
        synth.reference("aws_cloudfront_distribution", distribution_name, "arn")
    ]
    assert not any("*" in action for s in statements.values() for action in s["actions"])


# -- outputs -----------------------------------------------------------------------------


def test_outputs_point_at_the_distribution_and_the_site_bucket(synth_scratch):
    from modules.frontend import Frontend

    built = {}
    synth = synth_scratch(lambda stack: built.setdefault("frontend", Frontend(stack, "frontend", props=BASE)))
    frontend = built["frontend"]
    from bindings.cdk import Token

    (distribution_name, _) = distribution_of(synth)
    assert frontend.bucket_arn == "arn:aws:s3:::chat-test-frontend-111122223333-eu-west-1"
    for attribute in ("distribution_id", "distribution_arn", "distribution_domain_name", "hosted_zone_id"):
        assert Token.is_unresolved(getattr(frontend, attribute)), attribute
    assert distribution_name.startswith("frontend_distribution")


# -- props validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"certificate_arn": CERT.replace("us-east-1", "eu-west-1")},
            "certificate_arn: expected an ACM certificate ARN in us-east-1 (CloudFront uses certificates from "
            f'us-east-1 only), got region eu-west-1 in "{CERT.replace("us-east-1", "eu-west-1")}"',
        ),
        (
            {"certificate_arn": "not-an-arn"},
            "certificate_arn: expected an ACM certificate ARN such as "
            'arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>, got "not-an-arn" (string)',
        ),
        (
            {"price_class": "PriceClass_50"},
            "price_class: expected one of 'PriceClass_100', 'PriceClass_200' or 'PriceClass_All', "
            'got "PriceClass_50" (string)',
        ),
        ({"log_expiration_days": 0}, "log_expiration_days: expected a number greater than or equal to 1, got 0"),
        ({"log_expiration_days": 4000}, "log_expiration_days: expected a number less than or equal to 3653, got 4000"),
        (
            {"content_security_policy": "default-src 'self';\nscript-src *"},
            f"content_security_policy: expected a Content-Security-Policy of 1 to {MAX_CONTENT_SECURITY_POLICY_CHARS} "
            "printable ASCII characters on one line (CloudFront's limit)",
        ),
        ({"content_security_policy": "x" * 1784}, "content_security_policy: expected a Content-Security-Policy"),
        ({"content_security_policy": " "}, "content_security_policy: expected a Content-Security-Policy"),
        (
            {"web_acl_arn": WEB_ACL.replace("global/", "regional/")},
            "web_acl_arn: expected the ARN of a CLOUDFRONT-scope WAFv2 web ACL "
            "(arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>), got",
        ),
        (
            {"web_acl_arn": WEB_ACL.replace("us-east-1", "eu-west-1")},
            "web_acl_arn: expected the ARN of a CLOUDFRONT-scope WAFv2 web ACL",
        ),
        (
            {"aliases": ()},
            "aliases: expected at least one host name (the distribution serves the frontend hosts), got none",
        ),
        (
            {"aliases": ("app.example.com", "app.example.com")},
            "aliases: expected each host name once, got 'app.example.com' more than once",
        ),
        (
            {"region": "eu-south-1"},
            "region: expected a region CloudFront delivers standard logs to (not af-south-1, ap-east-1,",
        ),
        ({"region": "mars"}, 'region: expected an AWS region such as eu-west-1, got "mars" (string)'),
        ({"account_id": "12345"}, "account_id: expected a 12-digit AWS account id"),
        ({"name": "Chat_Test"}, "name: expected 2-20 characters"),
    ],
)
def test_props_reject_bad_values_with_the_field_and_value(change, message):
    with pytest.raises(ValueError, match="invalid FrontendProps") as caught:
        replace(BASE, **change)
    assert message in str(caught.value)


def test_certificate_in_the_wrong_region_is_refused_with_the_exact_message():
    wrong = CERT.replace("us-east-1", "eu-west-1")
    with pytest.raises(ValueError) as caught:
        replace(BASE, certificate_arn=wrong)
    assert str(caught.value).splitlines()[1].strip() == (
        "certificate_arn: expected an ACM certificate ARN in us-east-1 (CloudFront uses certificates from us-east-1 "
        f'only), got region eu-west-1 in "{wrong}"'
    )


def test_references_resolved_by_terraform_are_not_judged():
    token = "${TfToken[TOKEN.42]}"
    props = replace(BASE, certificate_arn=token, web_acl_arn=token)
    assert props.certificate_arn == token and props.web_acl_arn == token


def test_props_report_every_problem_at_once():
    with pytest.raises(ValueError) as caught:
        replace(BASE, certificate_arn="x", price_class="cheap", log_expiration_days=0)
    assert [line.split(":")[0].strip() for line in str(caught.value).splitlines()[1:]] == [
        "certificate_arn",
        "price_class",
        "log_expiration_days",
    ]


def test_the_frontend_block_is_derived_from_the_props():
    from pydantic import ValidationError

    from modules.common.inputs import environment_block, environment_fields, field_docs

    block = environment_block(FrontendProps, "FrontendConfig")
    settable = environment_fields(FrontendProps)
    assert list(block.model_fields) == ["price_class", "log_expiration_days", "content_security_policy"]
    assert [f.name for f in settable] == list(block.model_fields)
    docs = field_docs(FrontendProps)
    for field in settable:
        derived = block.model_fields[field.name]
        assert derived.default == field.default and derived.description == docs[field.name]
    assert block().price_class == "PriceClass_100"
    # The same mistake, the same words, in a file as in code.
    for mistake in ({"log_expiration_days": 0}, {"content_security_policy": "a\nb"}):
        with pytest.raises(ValidationError) as in_file:
            block(**mistake)
        with pytest.raises(ValueError) as directly:
            replace(BASE, **mistake)
        assert in_file.value.errors()[0]["msg"].removeprefix("Value error, ") in str(directly.value)


# -- the Content-Security-Policy with the stack's sources ------------------------------------

API = ("https://api.test.chat.example.com", "wss://api.test.chat.example.com")
UPLOADS = "https://chat-test-attachments-111122223333-eu-west-1.s3.eu-west-1.amazonaws.com"


def test_added_sources_create_connect_and_img_src_from_default_src():
    from modules.frontend.csp import extend_policy

    served = extend_policy(DEFAULT_CONTENT_SECURITY_POLICY, {"connect-src": (*API, UPLOADS), "img-src": (UPLOADS,)})
    assert served == (
        f"default-src 'self'; connect-src 'self' {' '.join(API)} {UPLOADS}; img-src 'self' {UPLOADS}; "
        "base-uri 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; upgrade-insecure-requests"
    )


def test_a_files_directives_are_extended_never_replaced():
    from modules.frontend.csp import extend_policy, parse_policy

    policy = "default-src 'none'; CONNECT-SRC 'self' https://errors.example.net; img-src 'none'; script-src 'self'"
    served = dict(parse_policy(extend_policy(policy, {"connect-src": API, "img-src": (UPLOADS, "data:")})))
    assert served["connect-src"] == ["'self'", "https://errors.example.net", *API]
    # 'none' only means something alone: the added sources replace it.
    assert served["img-src"] == [UPLOADS, "data:"]
    assert served["default-src"] == ["'none'"] and served["script-src"] == ["'self'"]
    # Without connect-src nor default-src a browser restricts nothing: nothing to add.
    assert extend_policy("script-src 'self'", {"connect-src": API}) == "script-src 'self'"
    # Added once, in order, whatever the repetition.
    assert extend_policy("default-src 'self'", {"connect-src": (*API, *API)}).count(API[0]) == 1


def test_the_construct_serves_the_policy_with_the_sources(synth_scratch):
    from modules.frontend import Frontend

    props = replace(BASE, connect_sources=(*API, UPLOADS), image_sources=(UPLOADS, "data:", "blob:"))
    frontends = []
    synth = synth_scratch(lambda stack: frontends.append(Frontend(stack, "frontend", props=props)))
    served = headers_of(synth)["security_headers_config"]["content_security_policy"]["content_security_policy"]
    assert served == frontends[0].content_security_policy == props.served_content_security_policy
    assert f"img-src 'self' {UPLOADS} data: blob:;" in served and f"connect-src 'self' {API[0]}" in served


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"connect_sources": ("https://api.example.com; script-src *",)},
            'connect_sources: expected CSP source expressions such as "https://api.chat.example.com"',
        ),
        ({"image_sources": ("data: blob:",)}, "image_sources: expected CSP source expressions"),
        (
            {"content_security_policy": "default-src 'self'; " + "x" * 1700, "connect_sources": API},
            "content_security_policy: expected the policy with the stack's connect-src and img-src sources added "
            f"to fit CloudFront's {MAX_CONTENT_SECURITY_POLICY_CHARS} characters, got 1",
        ),
    ],
)
def test_sources_are_checked_and_the_served_policy_must_fit(change, message):
    with pytest.raises(ValueError, match="invalid FrontendProps") as caught:
        replace(BASE, **change)
    assert message in str(caught.value)


def test_a_bucket_name_resolved_at_apply_is_accepted():
    token = "https://chat-test-attachments-${TfToken[TOKEN.7]}-eu-west-1.s3.eu-west-1.amazonaws.com"
    assert token in replace(BASE, connect_sources=(token,)).served_content_security_policy
