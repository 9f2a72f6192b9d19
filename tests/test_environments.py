"""Each environment synthesized once per session; what matters per environment."""

from __future__ import annotations

import json
import re

import pytest

import bindings
from synthesized import released_count
from tests.conftest import ENVIRONMENTS_DIR

# The AWS provider the selected toolchain's bindings were generated from (6.25.0 for cdktf's,
# 6.69.1 for cdktn's); tests/test_bindings.py checks the declaration against the bindings.
PROVIDER_VERSION = bindings.TOOLCHAIN.aws_provider_version


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
        provider, us_east_1, *backup_copy = synth.document["provider"]["aws"]
        assert provider["region"] == environment_configs[name].region and "alias" not in provider
        # CloudFront's certificate and web ACL live in us-east-1: one alias, tagged alike
        assert (us_east_1["alias"], us_east_1["region"]) == ("us_east_1", "us-east-1")
        # The backup copy's region, only where the file sets backup.copy_region: tagged alike too
        copy_region = environment_configs[name].backup.copy_region
        assert [(p["alias"], p["region"]) for p in backup_copy] == (
            [("backup_copy", copy_region)] if copy_region else []
        )
        for aliased in (us_east_1, *backup_copy):
            assert aliased["default_tags"] == provider["default_tags"]
        tags = provider["default_tags"][0]["tags"]
        assert (tags["project"], tags["environment"], tags["managed-by"]) == ("chat-infra", name, "cdktf")
        assert tags["cost-center"] == f"chat-{name}"


def test_terraform_block_holds_no_scalars_checkov_cannot_parse(synthesized):
    for synth in synthesized.values():
        assert all(isinstance(v, dict) for v in synth.document["terraform"].values())


def test_every_shipped_environment_keeps_its_state_in_s3_from_the_first_command(synthesized):
    """No shipped environment uses local state: it would be lost with the runner that
    applied it (make bootstrap-state prints the block; the names shipped are placeholders)."""
    for name, synth in synthesized.items():
        backend = synth.document["terraform"]["backend"]
        assert list(backend) == ["s3"], name
        assert backend["s3"] == {
            "bucket": f"chat-infra-tfstate-111122223333-{name}",
            "key": f"chat-{name}/terraform.tfstate",
            "region": "eu-west-1",
            "encrypt": True,
            "kms_key_id": "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000",
            "use_lockfile": True,
        }, name


def test_shipped_state_names_say_they_are_placeholders():
    for path in sorted(ENVIRONMENTS_DIR.glob("*.hcl")):
        text = path.read_text()
        assert "PLACEHOLDERS: 111122223333 is not your" in text, path
        assert f"make bootstrap-state ENV={path.stem}" in text, path


def test_deploy_refuses_local_state_for_every_protected_environment(synth_outdir, environment_configs):
    """The backend follows the file (local without remote_state, S3 with it), and `deploy` refuses the
    local one wherever deletion protection is on (issue 20); the shipped files may gain remote_state."""
    from review.__main__ import local_state_refusal

    for name, config in environment_configs.items():
        stack_file = synth_outdir / "stacks" / config.stack_name / "cdk.tf.json"
        backend = json.loads(stack_file.read_text())["terraform"]["backend"]
        if config.remote_state is None:
            assert backend == {"local": {"path": f"terraform.chat-{name}.tfstate"}}, name
        else:
            assert set(backend) == {"s3"}, name
        refusal = local_state_refusal(name, stack_file, ENVIRONMENTS_DIR / f"{name}.hcl", {})
        assert (refusal is not None) == (config.remote_state is None and config.deletion_protection), name
        if refusal:
            assert f"make bootstrap-state ENV={name}" in refusal and "deletion_protection = true" in refusal
        in_ci = local_state_refusal(name, stack_file, ENVIRONMENTS_DIR / f"{name}.hcl", {"CI": "true"})
        assert (in_ci is not None) == (config.remote_state is None), name


def test_prod_has_one_nat_gateway_per_az_and_only_the_free_gateway_endpoints(synthesized):
    prod = synthesized["prod"]
    nats = prod.resources("aws_nat_gateway").values()
    zones = {prod.by_reference(n["subnet_id"])["availability_zone"] for n in nats}
    assert len(nats) == 3 and zones == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
    endpoints = prod.resources("aws_vpc_endpoint").values()
    assert sorted(e["service_name"].rsplit(".", 1)[1] for e in endpoints) == ["dynamodb", "s3"]
    assert {e["vpc_endpoint_type"] for e in endpoints} == {"Gateway"}
    (flow_logs,) = [g for g in prod.resources("aws_cloudwatch_log_group").values() if "flow" in g["name"]]
    assert flow_logs["retention_in_days"] >= 365


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


def test_unpinned_stacks_look_up_the_account_once(synthesized):
    for name, synth in synthesized.items():
        assert all("allowed_account_ids" not in p for p in synth.document["provider"]["aws"])
        # One lookup for every module (modules/common/stack_context.py), not one per module.
        assert list(synth.data("aws_caller_identity")) == ["caller"], name
        referenced = set(re.findall(r"data\.aws_caller_identity\.(\w+)\.", json.dumps(synth.document)))
        assert referenced == {"caller"}, name


# -- the edge -------------------------------------------------------------------------------


def test_only_the_load_balancer_is_reachable_from_the_internet(synthesized, environment_configs):
    from modules.security_groups.graph import directly_reachable_from_internet, reachable_from_internet

    for name, synth in synthesized.items():
        config = environment_configs[name]
        direct = directly_reachable_from_internet(synth.document)
        assert direct == {f"chat-{name}-alb": {80, 443}}, name
        # Through the load balancer: the routed services' container ports, and from them what
        # they use (endpoints, stores) on its own port; never the worker.
        reachable = reachable_from_internet(synth.document)
        assert reachable[f"chat-{name}-api"] == {config.api.port}, name
        assert reachable[f"chat-{name}-realtime"] == {config.realtime.port}, name
        assert f"chat-{name}-worker" not in reachable, name
        assert reachable.get(f"chat-{name}-cache", {6379}) == {6379}, name


def test_load_balancer_deletion_protection_follows_the_environment(synthesized, environment_configs):
    for name, synth in synthesized.items():
        (alb,) = synth.resources("aws_lb").values()
        assert alb["enable_deletion_protection"] is environment_configs[name].deletion_protection
        assert alb["idle_timeout"] == 300 and alb["drop_invalid_header_fields"] is True
    assert environment_configs["prod"].deletion_protection and not environment_configs["dev"].deletion_protection


def test_staging_sends_a_tenth_of_the_api_to_green(synthesized):
    staging = synthesized["staging"]
    forwards = [
        rule["action"][0]["forward"]
        for rule in staging.resources("aws_lb_listener_rule").values()
        if rule["action"][0].get("type") == "forward" and "forward" in rule["action"][0]
    ]
    weights = sorted(
        tuple(sorted(g["weight"] for g in forward["target_group"]))
        for forward in forwards
        if forward.get("target_group")
    )
    assert (10, 90) in weights


def test_web_acls_guard_the_load_balancer_and_the_distribution(synthesized):
    for name, synth in synthesized.items():
        acls = synth.resources("aws_wafv2_web_acl")
        assert sorted(a["scope"] for a in acls.values()) == ["CLOUDFRONT", "REGIONAL"], name
        (association,) = synth.resources("aws_wafv2_web_acl_association").values()
        assert association["resource_arn"].startswith("${aws_lb.")
        (distribution,) = synth.resources("aws_cloudfront_distribution").values()
        assert distribution["web_acl_id"].startswith("${aws_wafv2_web_acl.")
        cloudfront_acl = synth.by_reference(distribution["web_acl_id"])
        assert cloudfront_acl["scope"] == "CLOUDFRONT" and cloudfront_acl["provider"] == "aws.us_east_1"


def test_hosts_alias_the_load_balancer_and_the_distribution(synthesized, environment_configs):
    for name, synth in synthesized.items():
        dns = environment_configs[name].dns
        targets = {}
        for record in synth.resources("aws_route53_record").values():
            if record.get("alias"):
                targets.setdefault(record["name"], set()).add(record["alias"]["name"].split(".")[0])
        for host in dns.api_host_names:
            assert targets[host] == {"${aws_lb"}, host
        for host in dns.frontend_host_names:
            assert targets[host] == {"${aws_cloudfront_distribution"}, host
        # AAAA only where the target is dual-stack: CloudFront yes, the IPv4-only ALB no.
        (balancer,) = synth.resources("aws_lb").values()
        assert balancer["ip_address_type"] == "ipv4"
        aaaa = {r["name"] for r in synth.resources("aws_route53_record").values() if r["type"] == "AAAA"}
        assert aaaa == set(dns.frontend_host_names), name


def test_prod_pays_for_reach_and_keeps_logs_a_year_dev_saves(synthesized):
    def distribution(env):
        (d,) = synthesized[env].resources("aws_cloudfront_distribution").values()
        return d

    assert distribution("prod")["price_class"] == "PriceClass_All"
    assert distribution("dev")["price_class"] == "PriceClass_100"
    waf_logs = {
        env: sorted(
            g["retention_in_days"]
            for g in synthesized[env].resources("aws_cloudwatch_log_group").values()
            if g["name"].startswith("aws-waf-logs-")
        )
        for env in ("dev", "prod")
    }
    assert waf_logs == {"dev": [30, 30], "prod": [365, 365]}


# -- compute --------------------------------------------------------------------------------


def _by_name(synth, resource_type):
    return {body.get("name") or body.get("family"): body for body in synth.resources(resource_type).values()}


def test_service_sizes_follow_the_seeds_table(synthesized):
    # ../shared/seeds/000_*: dev api 1 x 256/512, realtime 2 x 512/1024; prod api 3-5 x
    # 512/1024, realtime 4-8 x 1024/2048.
    expected = {
        "dev": {"api": ("256", "512", 1, 2), "realtime": ("512", "1024", 2, 3)},
        "prod": {"api": ("512", "1024", 3, 5), "realtime": ("1024", "2048", 4, 8)},
    }
    for name, services in expected.items():
        synth = synthesized[name]
        tasks = _by_name(synth, "aws_ecs_task_definition")
        targets = {t["resource_id"]: t for t in synth.resources("aws_appautoscaling_target").values()}
        for service, (cpu, memory, low, high) in services.items():
            task = tasks[f"chat-{name}-{service}-blue"]
            assert (task["cpu"], task["memory"]) == (cpu, memory), (name, service)
            (ecs_service_key,) = [
                k for k, s in synth.resources("aws_ecs_service").items() if s["name"] == f"chat-{name}-{service}-blue"
            ]
            target = targets[f"service/chat-{name}/${{aws_ecs_service.{ecs_service_key}.name}}"]
            assert released_range(target) == (low, high), (name, service)


def test_prod_keeps_an_on_demand_base_and_dev_runs_on_spot(synthesized):
    for _, service in _by_name(synthesized["prod"], "aws_ecs_service").items():
        on_demand = [s for s in service["capacity_provider_strategy"] if s["capacity_provider"] == "FARGATE"]
        assert on_demand and on_demand[0]["base"] >= 2
    for _, service in _by_name(synthesized["dev"], "aws_ecs_service").items():
        assert [s["capacity_provider"] for s in service["capacity_provider_strategy"]] == ["FARGATE_SPOT"]


def test_each_colour_runs_behind_its_target_group_on_the_routed_port(synthesized, environment_configs):
    for name, synth in synthesized.items():
        groups = synth.resources("aws_lb_target_group")
        for service in ("api", "realtime"):
            port = getattr(environment_configs[name], service).port
            for colour in ("blue", "green"):
                ecs_service = _by_name(synth, "aws_ecs_service")[f"chat-{name}-{service}-{colour}"]
                (registration,) = ecs_service["load_balancer"]
                group = synth.by_reference(registration["target_group_arn"])
                assert group["port"] == registration["container_port"] == port, (name, service, colour)
                assert group in groups.values()


def test_the_colour_without_traffic_keeps_only_its_standby(synthesized, environment_configs):
    # staging sends 10% of the API to green: green runs like blue; realtime green has none.
    synth, config = synthesized["staging"], environment_configs["staging"]
    targets = {t["resource_id"].split(".")[1]: t for t in synth.resources("aws_appautoscaling_target").values()}
    services = {s["name"]: key for key, s in synth.resources("aws_ecs_service").items()}
    api_green = targets[services["chat-staging-api-green"]]
    realtime_green = targets[services["chat-staging-realtime-green"]]
    assert released_range(api_green) == (config.api.min_tasks, config.api.max_tasks)
    standby = config.realtime.standby_tasks
    assert released_range(realtime_green) == (standby, standby)


def released_range(target) -> tuple:
    """A colour's autoscaling range once released (it waits at 0 until its first image)."""
    return released_count(target["min_capacity"]), released_count(target["max_capacity"])


# -- data stores ------------------------------------------------------------------------


def test_every_store_aws_backup_supports_is_protected_or_waived_with_a_reason(synthesized):
    from modules.backup import BACKUP_SUPPORTED_RESOURCE_TYPES

    for name, synth in synthesized.items():
        selected = [r for s in synth.resources("aws_backup_selection").values() for r in s["resources"]]
        waivers = synth.document["//"]["checkov_waivers"]
        stores = [
            (resource_type, key, body)
            for resource_type in BACKUP_SUPPORTED_RESOURCE_TYPES
            if resource_type != "aws_instance"  # their data volumes are the stores
            for key, body in synth.resources(resource_type).items()
            if not body.get("replicate_source_db")
        ]
        assert stores, name
        for resource_type, key, body in stores:
            by_reference = any(f"${{{resource_type}.{key}." in r for r in selected)
            by_bucket_arn = resource_type == "aws_s3_bucket" and any(
                r.endswith(f":::{body['bucket']}") for r in selected
            )
            waived = "CKV_CHAT_40" in waivers.get(key, {})
            assert by_reference or by_bucket_arn or waived, (name, key)
            assert not ((by_reference or by_bucket_arn) and waived), (name, key)
        protected = [key for t, key, body in stores if "CKV_CHAT_40" not in waivers.get(key, {})]
        assert any("attachments_bucket" in key for key in protected), name


def test_the_cache_answers_only_the_api_and_realtime_tasks(synthesized):
    for name, synth in synthesized.items():
        groups = {body["tags"]["Name"]: key for key, body in synth.resources("aws_security_group").items()}
        cache = synth.reference("aws_security_group", groups[f"chat-{name}-cache"])
        sources = sorted(
            next(
                n
                for n, k in groups.items()
                if synth.reference("aws_security_group", k) == rule["referenced_security_group_id"]
            )
            for rule in synth.resources("aws_vpc_security_group_ingress_rule").values()
            if rule["security_group_id"] == cache
        )
        assert sources == [f"chat-{name}-api", f"chat-{name}-realtime"], name


def test_prod_cache_fails_over_across_zones_and_dev_runs_one_node(synthesized):
    (prod,) = synthesized["prod"].resources("aws_elasticache_replication_group").values()
    assert prod["automatic_failover_enabled"] is True and prod["multi_az_enabled"] is True
    assert prod["num_cache_clusters"] == 3 and prod["snapshot_retention_limit"] >= 1
    (dev,) = synthesized["dev"].resources("aws_elasticache_replication_group").values()
    assert dev["num_cache_clusters"] == 1 and dev["automatic_failover_enabled"] is False


def test_prod_backups_are_locked_in_compliance_mode_and_dev_backups_are_not_locked(synthesized):
    locks = synthesized["prod"].resources("aws_backup_vault_lock_configuration").values()
    assert len(locks) == 2  # the vault in eu-west-1 and its copy in the second region
    for lock in locks:
        # changeable_for_days set: compliance mode (governance mode has none).
        assert lock["changeable_for_days"] >= 3 and lock["min_retention_days"] >= 7
    assert not synthesized["dev"].resources("aws_backup_vault_lock_configuration")


def test_prod_loses_nothing_with_its_region_and_only_prod_has_a_second_region(synthesized):
    """Issue 23 item 3: every recovery point AWS Backup takes (the attachments bucket's too)
    is copied to eu-central-1, and the database's automated backups are replicated there."""
    synth = synthesized["prod"]
    providers = {block.get("alias"): block["region"] for block in synth.document["provider"]["aws"]}
    assert providers == {None: "eu-west-1", "us_east_1": "us-east-1", "backup_copy": "eu-central-1"}
    vaults = synth.resources("aws_backup_vault")
    ((copy_name, copy_vault),) = [(n, v) for n, v in vaults.items() if v.get("provider") == "aws.backup_copy"]
    copy_key = synth.resources("aws_kms_key")[copy_vault["kms_key_arn"].split(".")[1]]
    assert copy_key["provider"] == "aws.backup_copy"
    (plan,) = synth.resources("aws_backup_plan").values()
    for rule in plan["rule"]:
        (copy,) = rule["copy_action"]
        assert copy["destination_vault_arn"] == synth.reference("aws_backup_vault", copy_name, "arn")
        assert copy["lifecycle"]["delete_after"] == rule["lifecycle"]["delete_after"]
    (selection,) = synth.resources("aws_backup_selection").values()
    assert any(arn.startswith("arn:aws:s3:::chat-prod-attachments") for arn in selection["resources"])
    (replication,) = synth.resources("aws_db_instance_automated_backups_replication").values()
    primary_name = next(n for n, db in synth.resources("aws_db_instance").items() if "replicate_source_db" not in db)
    assert replication["source_db_instance_arn"] == synth.reference("aws_db_instance", primary_name, "arn")
    assert replication["provider"] == "aws.backup_copy" and replication["retention_period"] == 30
    replica_key = synth.resources("aws_kms_key")[replication["kms_key_id"].split(".")[1]]
    assert replica_key["provider"] == "aws.backup_copy" and replica_key is not copy_key
    for other in ("dev", "staging"):
        assert [p.get("alias") for p in synthesized[other].document["provider"]["aws"]] == [None, "us_east_1"]
        assert not synthesized[other].resources("aws_db_instance_automated_backups_replication")


def test_the_worker_consumes_every_queue_and_only_producers_send(synthesized):
    synth = synthesized["prod"]
    queues = [body["name"] for body in synth.resources("aws_sqs_queue").values()]
    main_queues = sorted(q for q in queues if not q.endswith("-dlq"))
    assert main_queues == ["chat-prod-offline-messages", "chat-prod-push-notifications"]

    def actions_of(role_name):
        (role_key,) = [k for k, r in synth.resources("aws_iam_role").items() if r["name"] == role_name]
        reference = synth.reference("aws_iam_role", role_key)
        policies = [p for p in synth.resources("aws_iam_role_policy").values() if p["role"] == reference]
        statements = [s for p in policies for s in synth.data_by_reference(p["policy"])["statement"]]
        return {
            (a, r) for s in statements for a in s["actions"] for r in s.get("resources", []) if a.startswith("sqs:")
        }

    worker = actions_of("chat-prod-worker-task")
    for queue in main_queues:
        arn = f":{queue}"
        assert any(a == "sqs:ReceiveMessage" and r.endswith(arn) for a, r in worker), queue
        for producer in ("chat-prod-api-task", "chat-prod-realtime-task"):
            assert any(a == "sqs:SendMessage" and r.endswith(arn) for a, r in actions_of(producer)), (producer, queue)
    assert not any(
        r.endswith("-dl") for role in ("worker", "api", "realtime") for _, r in actions_of(f"chat-prod-{role}-task")
    )
    assert not any(a == "sqs:SendMessage" for a, _ in worker)


def test_traces_are_collected_in_staging_and_prod_but_not_in_dev(synthesized):
    for name, expected in (
        ("dev", ["api"]),
        ("staging", ["api", "otel-collector"]),
        ("prod", ["api", "otel-collector"]),
    ):
        tasks = _by_name(synthesized[name], "aws_ecs_task_definition")
        names = [c["name"] for c in json.loads(tasks[f"chat-{name}-api-blue"]["container_definitions"])]
        assert names == expected, name


# -- the database -----------------------------------------------------------------------


def test_prod_database_cannot_be_lost_by_one_apply(synthesized):
    synth = synthesized["prod"]
    primaries = [b for b in synth.resources("aws_db_instance").values() if not b.get("replicate_source_db")]
    (primary,) = primaries
    assert primary["deletion_protection"] is True and primary["skip_final_snapshot"] is False
    assert primary["final_snapshot_identifier"] and primary["backup_retention_period"] >= 7
    assert primary["storage_encrypted"] is True and primary["kms_key_id"].startswith("${aws_kms_key.")
    assert primary["lifecycle"]["prevent_destroy"] is True
    assert primary["multi_az"] is True and primary["manage_master_user_password"] is True
    assert "password" not in primary
    waivers = synth.document["//"]["checkov_waivers"]
    primary_key = next(k for k, b in synth.resources("aws_db_instance").items() if b is primary)
    assert not {"CKV_CHAT_11", "CKV_AWS_293", "CKV_AWS_157"} & set(waivers.get(primary_key, {}))


def test_services_reach_the_database_only_through_the_proxy_in_prod(synthesized):
    synth = synthesized["prod"]
    groups = {body["tags"]["Name"]: key for key, body in synth.resources("aws_security_group").items()}
    names = {synth.reference("aws_security_group", key): name for name, key in groups.items()}
    ingress: dict[str, set[str]] = {}
    for rule in synth.resources("aws_vpc_security_group_ingress_rule").values():
        source = names.get(rule.get("referenced_security_group_id"))
        if source:
            ingress.setdefault(names[rule["security_group_id"]], set()).add(source)
    database_groups = [name for name in ingress if "postgres" in name or "database" in name or "-db" in name]
    assert database_groups, sorted(ingress)
    services = {"chat-prod-api", "chat-prod-realtime", "chat-prod-worker"}
    primary = [g for g in database_groups if ingress[g] and not (ingress[g] & services)]
    # Exactly one group admits only the proxy (the primary's); the services reach the others.
    assert len(primary) == 1, {g: sorted(ingress[g]) for g in database_groups}
    assert all(ingress[g] == services for g in database_groups if g not in primary)


def test_each_service_connects_as_its_own_database_user_with_iam(synthesized):
    synth = synthesized["prod"]
    for service in ("api", "realtime", "worker"):
        (role_key,) = [
            k for k, r in synth.resources("aws_iam_role").items() if r["name"] == f"chat-prod-{service}-task"
        ]
        reference = synth.reference("aws_iam_role", role_key)
        policies = [p for p in synth.resources("aws_iam_role_policy").values() if p["role"] == reference]
        statements = [s for p in policies for s in synth.data_by_reference(p["policy"])["statement"]]
        connect = [s for s in statements if "rds-db:connect" in s["actions"]]
        assert connect and all(r.endswith(f"/{service}") for s in connect for r in s["resources"]), service


def test_every_environment_has_the_database_admin_task_and_the_outputs_to_start_it(synthesized, environment_configs):
    for name, config in environment_configs.items():
        synth = synthesized[name]
        outputs = synth.document["output"]
        for output in (
            "ecs_cluster_name",
            "database_master_secret_arn",
            "db_admin_task_definition_arn",
            "db_admin_container_name",
            "db_admin_subnet_ids",
            "db_admin_security_group_id",
            "db_admin_log_group_name",
        ):
            assert outputs[output]["description"], (name, output)
        (task_key,) = [
            k
            for k, b in synth.resources("aws_ecs_task_definition").items()
            if b["family"] == f"{config.stack_name}-db-admin"
        ]
        assert outputs["db_admin_task_definition_arn"]["value"] == synth.reference(
            "aws_ecs_task_definition", task_key, "arn"
        )
        # Not an ECS service: nothing keeps it running.
        assert all(
            s["task_definition"] != outputs["db_admin_task_definition_arn"]["value"]
            for s in synth.resources("aws_ecs_service").values()
        )
        (primary,) = [b for b in synth.resources("aws_db_instance").values() if not b.get("replicate_source_db")]
        secret = outputs["database_master_secret_arn"]["value"]
        assert secret.endswith(".master_user_secret[0].secret_arn}") and primary["manage_master_user_password"]
        (container,) = json.loads(synth.resources("aws_ecs_task_definition")[task_key]["container_definitions"])
        assert {s["valueFrom"] for s in container["secrets"]} == {f"{secret}:username::", f"{secret}:password::"}


def test_only_the_proxy_and_the_admin_task_reach_the_primary_when_there_is_a_proxy(synthesized, environment_configs):
    for name, config in environment_configs.items():
        synth = synthesized[name]
        groups = {
            synth.reference("aws_security_group", k): b["tags"]["Name"]
            for k, b in synth.resources("aws_security_group").items()
        }
        prefix = config.stack_name
        admitted = sorted(
            groups[r["referenced_security_group_id"]]
            for r in synth.resources("aws_vpc_security_group_ingress_rule").values()
            if groups.get(r["security_group_id"]) == f"{prefix}-postgres"
        )
        services = [f"{prefix}-{service}" for service in ("api", "realtime", "worker")]
        front = [f"{prefix}-postgres-proxy"] if config.database.proxy else services
        assert admitted == sorted([*front, f"{prefix}-postgres-admin"]), name
        # The proxy (when there is one) still admits the services alone.
        if config.database.proxy:
            proxy_sources = sorted(
                groups[r["referenced_security_group_id"]]
                for r in synth.resources("aws_vpc_security_group_ingress_rule").values()
                if groups.get(r["security_group_id"]) == f"{prefix}-postgres-proxy"
            )
            assert proxy_sources == sorted(services), name


def test_no_key_policy_gives_kms_star_and_explicit_administrators_get_the_guard_rail(synthesized, isolated):
    """Issue 24, finding 1: administration apart from use, in every stack."""
    from modules.common.keys import GUARD_RAIL_SID

    for name, synth in {**synthesized, "isolated": isolated}.items():
        policies = [
            synth.data_by_reference(reference)
            for reference in [p["policy"] for p in synth.resources("aws_kms_key_policy").values()]
            + [k["policy"] for k in synth.resources("aws_kms_key").values() if "policy" in k]
        ]
        assert policies, name
        for document in policies:
            sids = {s["sid"]: s for s in document["statement"]}
            assert not any("kms:*" in s["actions"] for s in sids.values()), name
            admin = sids["KeyAdministratorsAdministerKey"]["principals"][0]["identifiers"]
            if name == "isolated":
                assert admin == [
                    "arn:aws:iam::123456789012:role/chat-infra-deploy",
                    "arn:aws:iam::123456789012:role/security/key-admin",
                ]
                assert sids[GUARD_RAIL_SID]["condition"][0]["values"] == admin
            else:
                assert len(admin) == 1 and admin[0].endswith(":root") and GUARD_RAIL_SID not in sids
