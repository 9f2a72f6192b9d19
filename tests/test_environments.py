"""Each environment synthesized once per session; what matters per environment."""

from __future__ import annotations

import pytest

PROVIDER_VERSION = "6.25.0"  # the AWS provider that cdktf-cdktf-provider-aws 21.22.1 binds


def test_every_environment_file_becomes_a_stack(synthesized, environment_configs):
    assert sorted(synthesized) == ["dev", "prod", "staging"]
    for name, synth in synthesized.items():
        (vpc,) = synth.resources("aws_vpc").values()
        assert vpc["cidr_block"] == environment_configs[name].network.vpc_cidr


def test_provider_is_pinned_with_region_and_default_tags(synthesized, environment_configs):
    for name, synth in synthesized.items():
        assert synth.document["terraform"]["required_providers"]["aws"] == {
            "source": "hashicorp/aws",
            "version": PROVIDER_VERSION,
        }
        (provider,) = synth.document["provider"]["aws"]
        assert provider["region"] == environment_configs[name].region
        tags = provider["default_tags"][0]["tags"]
        assert (tags["project"], tags["environment"], tags["managed-by"]) == ("chat-infra", name, "cdktf")
        assert tags["cost-center"] == f"chat-{name}"


def test_terraform_block_holds_no_scalars_checkov_cannot_parse(synthesized):
    for synth in synthesized.values():
        assert all(isinstance(v, dict) for v in synth.document["terraform"].values())


def test_default_backend_is_local(synthesized):
    for name, synth in synthesized.items():
        assert synth.document["terraform"]["backend"] == {"local": {"path": f"terraform.chat-{name}.tfstate"}}


def test_prod_has_one_nat_gateway_per_az_and_interface_endpoints(synthesized):
    prod = synthesized["prod"]
    nats = prod.resources("aws_nat_gateway").values()
    zones = {prod.by_reference(n["subnet_id"])["availability_zone"] for n in nats}
    assert len(nats) == 3 and zones == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
    assert any(e["vpc_endpoint_type"] == "Interface" for e in prod.resources("aws_vpc_endpoint").values())
    (group,) = prod.resources("aws_cloudwatch_log_group").values()
    assert group["retention_in_days"] >= 365


def test_dev_saves_with_one_nat_and_no_interface_endpoints(synthesized):
    dev = synthesized["dev"]
    assert len(dev.resources("aws_nat_gateway")) == 1
    assert all(e["vpc_endpoint_type"] == "Gateway" for e in dev.resources("aws_vpc_endpoint").values())


def test_prod_keeps_deletion_protection(environment_configs):
    assert environment_configs["prod"].deletion_protection is True


@pytest.fixture(scope="module")
def isolated(synth_outdir, example_configs):
    """examples/isolated.hcl, synthesized with the environments (conftest)."""
    import json

    from tests.conftest import Synthesized

    name = example_configs["isolated"].stack_name
    return Synthesized(json.loads((synth_outdir / "stacks" / name / "cdk.tf.json").read_text()))


def test_example_account_pin_and_s3_backend(isolated, example_configs):
    config = example_configs["isolated"]
    document = isolated.document
    assert document["provider"]["aws"][0]["allowed_account_ids"] == [config.account_id]
    assert document["terraform"]["backend"] == {
        "s3": {
            "bucket": "chat-infra-terraform-state-isolated",
            "key": "chat-isolated/terraform.tfstate",
            "region": config.region,
            "encrypt": True,
            "use_lockfile": True,
        }
    }
    assert "aws_caller_identity" not in document.get("data", {})


def test_example_without_nat_reaches_aws_only_through_endpoints(isolated):
    assert isolated.resources("aws_nat_gateway") == {}
    assert not any("nat_gateway_id" in route for route in isolated.resources("aws_route").values())
    assert any(e["vpc_endpoint_type"] == "Interface" for e in isolated.resources("aws_vpc_endpoint").values())
    assert len(isolated.data("aws_availability_zones")) == 1


def test_unpinned_stacks_look_up_the_account(synthesized):
    for synth in synthesized.values():
        assert "allowed_account_ids" not in synth.document["provider"]["aws"][0]
        assert len(synth.data("aws_caller_identity")) == 1


def test_main_synthesizes_into_a_new_nested_outdir(tmp_path, capsys):
    import main
    from tests.conftest import EXAMPLES_DIR

    outdir = tmp_path / "not" / "yet" / "there"
    assert main.main(["--environments-dir", str(EXAMPLES_DIR), "--outdir", str(outdir)]) == 0
    assert (outdir / "stacks" / "chat-isolated" / "cdk.tf.json").is_file()
    assert "chat-isolated" in capsys.readouterr().out
