"""The frontend's CSP names what the single-page app reaches, in every environment and example.

Read from the synthesized stacks (tests/conftest.py): for each one, the Content-Security-Policy
CloudFront sends must let the app call every API host over https:// and wss://, open the
WebSocket API's host (ingress = "api_gateway"), and upload to and show images from the
attachments bucket's regional endpoint. The names come from the environment file and the
synthesized bucket, not from the code that builds the policy.
"""

from __future__ import annotations

import json

import pytest

from modules.frontend.csp import parse_policy

# The DNS suffix of the regions the environments and examples use (eu-*: the aws partition).
S3_SUFFIX = "amazonaws.com"


def served_policy(document) -> str:
    (policy,) = document["resource"]["aws_cloudfront_response_headers_policy"].values()
    return policy["security_headers_config"]["content_security_policy"]["content_security_policy"]


def attachments_endpoint(document, region: str) -> str:
    """The bucket browsers upload to: the one with a CORS configuration."""
    buckets = document["resource"]["aws_s3_bucket"]
    (cors,) = document["resource"]["aws_s3_bucket_cors_configuration"].values()
    (name,) = [b["bucket"] for key, b in buckets.items() if cors["bucket"] == f"${{aws_s3_bucket.{key}.id}}"]
    return f"https://{name}.s3.{region}.{S3_SUFFIX}"


def required_sources(config, document) -> dict[str, set[str]]:
    hosts = set(config.dns.api_host_names)
    connect = {f"{scheme}://{host}" for host in hosts for scheme in ("https", "wss")}
    if config.ingress == "api_gateway":
        connect.add(f"wss://{config.websocket_api.host_name}")
    endpoint = attachments_endpoint(document, config.region)
    return {"connect-src": connect | {endpoint}, "img-src": {endpoint}}


def missing_sources(policy: str, required: dict[str, set[str]]) -> dict[str, set[str]]:
    directives = dict(parse_policy(policy))
    fallback = set(directives.get("default-src", ()))
    missing = {}
    for directive, sources in required.items():
        allowed = set(directives[directive]) if directive in directives else fallback
        if sources - allowed:
            missing[directive] = sources - allowed
    return missing


@pytest.fixture(scope="module")
def documents(synth_outdir, stack_configs):
    return {
        name: json.loads((synth_outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text())
        for name, config in stack_configs.items()
    }


def test_every_stack_lets_the_app_reach_its_api_websocket_and_attachments(documents, stack_configs):
    assert {"dev", "staging", "prod", "dynamodb-apigw"} <= set(documents)
    for name, document in documents.items():
        config = stack_configs[name]
        policy = served_policy(document)
        assert missing_sources(policy, required_sources(config, document)) == {}, (name, policy)
        directives = dict(parse_policy(policy))
        # What the shipped policy keeps: its own origin, inline images, nothing from elsewhere.
        assert {"'self'", "data:", "blob:"} <= set(directives["img-src"]), name
        assert "*" not in policy.split() and directives["object-src"] == ["'none'"], name


def test_examples_with_an_account_id_name_the_bucket_literally(documents, stack_configs):
    for name, document in documents.items():
        if stack_configs[name].account_id is not None:
            assert "${" not in served_policy(document), name


def test_a_missing_name_is_found():
    policy = "default-src 'self'; connect-src 'self' https://api.example.com"
    required = {"connect-src": {"https://api.example.com", "wss://api.example.com"}, "img-src": {"data:"}}
    assert missing_sources(policy, required) == {"connect-src": {"wss://api.example.com"}, "img-src": {"data:"}}
