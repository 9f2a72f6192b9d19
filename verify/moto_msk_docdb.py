"""moto 5.2.5 extensions for Amazon MSK and Amazon DocumentDB (installed by moto_extensions.py).

Each fills an API moto lacks, the way AWS documents it, keeping state in this process only;
none relaxes what the provider checks:

- MSK configurations (CreateConfiguration, DescribeConfiguration,
  DescribeConfigurationRevision, ListConfigurationRevisions, UpdateConfiguration,
  DeleteConfiguration, ListConfigurations): moto answers 404 "Not yet implemented", so no
  aws_msk_configuration can be created, nor the cluster that names it.
- MSK clusters: a new provisioned cluster is ACTIVE (moto keeps it CREATING for ever, and
  the provider waits for ACTIVE up to its 120-minute create timeout), and
  GetBootstrapBrokers answers with the brokers of the listeners the cluster has (moto:
  NotImplementedError, 500; the provider reads it on every refresh).
- DocumentDB (the RDS API with Engine "docdb"): moto's cluster and instance engine lists
  lack "docdb" (CreateDBCluster: InvalidParameterValue "Engine 'docdb' is not supported";
  CreateDBInstance: "Value docdb for parameter Engine is invalid"); added with
  DocumentDB's defaults (engine version 5.0.0, port 27017), and a cluster created without
  a StorageType has DocumentDB's "standard", which DocumentDB leaves out of its answers
  (moto gave RDS's "gp2" and returned it; the provider, which suppresses "" -> "standard",
  then plans "gp2" -> "standard" for ever).

Each patch is registered (moto_patches.py); moto_extensions.py installs them before it starts
moto's server.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import unquote

import moto.kafka.urls as kafka_urls
from moto.kafka.exceptions import NotFoundException
from moto.kafka.models import FakeKafkaCluster, KafkaBackend
from moto.kafka.responses import KafkaResponse
from moto.rds import models as rds_models
from moto.rds.utils import ClusterEngine, DbInstanceEngine
from moto.utilities.utils import get_partition
from moto_patches import REGISTRY, aws_client, in_fresh_moto

# -- MSK configurations ----------------------------------------------------------------

_CONFIGURATIONS: dict[str, dict[str, Any]] = {}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def _configuration_arn_from_path(self: KafkaResponse) -> str:
    path = unquote(self.parsed_url.path).split("/v1/configurations/", 1)[1]
    return path.split("/revisions", 1)[0]


def _configuration(arn: str) -> dict[str, Any]:
    if arn not in _CONFIGURATIONS:
        raise NotFoundException(f"Configuration {arn} not found")
    return _CONFIGURATIONS[arn]


def _revision_summary(revision: dict[str, Any]) -> dict[str, Any]:
    return {key: revision[key] for key in ("creationTime", "description", "revision")}


def _create_configuration(self: KafkaResponse) -> str:
    name = self._get_param("name")
    partition = get_partition(self.region)
    arn = f"arn:{partition}:kafka:{self.region}:{self.current_account}:configuration/{name}/{uuid.uuid4()}-1"
    created = _now()
    revision = {
        "creationTime": created,
        "description": self._get_param("description") or "",
        "revision": 1,
        "serverProperties": self._get_param("serverProperties"),
    }
    _CONFIGURATIONS[arn] = {
        "arn": arn,
        "name": name,
        "creationTime": created,
        "description": revision["description"],
        "kafkaVersions": self._get_param("kafkaVersions") or [],
        "state": "ACTIVE",
        "revisions": [revision],
    }
    return json.dumps(
        {
            "arn": arn,
            "creationTime": created,
            "latestRevision": _revision_summary(revision),
            "name": name,
            "state": "ACTIVE",
        }
    )


def _describe(configuration: dict[str, Any]) -> dict[str, Any]:
    return {
        "arn": configuration["arn"],
        "creationTime": configuration["creationTime"],
        "description": configuration["description"],
        "kafkaVersions": configuration["kafkaVersions"],
        "latestRevision": _revision_summary(configuration["revisions"][-1]),
        "name": configuration["name"],
        "state": configuration["state"],
    }


def _describe_configuration(self: KafkaResponse) -> str:
    return json.dumps(_describe(_configuration(_configuration_arn_from_path(self))))


def _describe_configuration_revision(self: KafkaResponse) -> str:
    arn = _configuration_arn_from_path(self)
    number = int(unquote(self.parsed_url.path).rstrip("/").rsplit("/", 1)[1])
    revisions = _configuration(arn)["revisions"]
    if not 1 <= number <= len(revisions):
        raise NotFoundException(f"Revision {number} of configuration {arn} not found")
    return json.dumps({"arn": arn, **revisions[number - 1]})


def _list_configuration_revisions(self: KafkaResponse) -> str:
    revisions = _configuration(_configuration_arn_from_path(self))["revisions"]
    return json.dumps({"revisions": [_revision_summary(r) for r in revisions]})


def _update_configuration(self: KafkaResponse) -> str:
    arn = _configuration_arn_from_path(self)
    configuration = _configuration(arn)
    revision = {
        "creationTime": _now(),
        "description": self._get_param("description") or "",
        "revision": len(configuration["revisions"]) + 1,
        "serverProperties": self._get_param("serverProperties"),
    }
    configuration["revisions"].append(revision)
    return json.dumps({"arn": arn, "latestRevision": _revision_summary(revision)})


def _delete_configuration(self: KafkaResponse) -> str:
    arn = _configuration_arn_from_path(self)
    _configuration(arn)
    del _CONFIGURATIONS[arn]
    return json.dumps({"arn": arn, "state": "DELETING"})


def _list_configurations(self: KafkaResponse) -> str:
    return json.dumps({"configurations": [_describe(c) for c in _CONFIGURATIONS.values()]})


# -- MSK clusters: ACTIVE once created, bootstrap brokers ---------------------------------

_fake_cluster_init = FakeKafkaCluster.__init__


def _cluster_init_active(self: FakeKafkaCluster, *args: Any, **kwargs: Any) -> None:
    _fake_cluster_init(self, *args, **kwargs)
    # AWS creates a provisioned cluster in 15-30 minutes and then reports ACTIVE.
    self.state = "ACTIVE"


def _brokers(cluster: FakeKafkaCluster, port: int) -> str:
    count = cluster.number_of_broker_nodes or 0
    return ",".join(
        f"b-{n}.{cluster.cluster_name}.{cluster.cluster_id[:6]}.c{n % 3 + 1}.kafka.{cluster.region_name}"
        f".amazonaws.com:{port}"
        for n in range(1, count + 1)
    )


def _get_bootstrap_brokers(self: KafkaResponse) -> str:
    arn = unquote(self.parsed_url.path).split("/v1/clusters/", 1)[1].rsplit("/bootstrap-brokers", 1)[0]
    backend: KafkaBackend = self.kafka_backend
    if arn not in backend.clusters:
        raise NotFoundException(f"Cluster {arn} not found")
    cluster = backend.clusters[arn]
    authentication = cluster.client_authentication or {}
    encryption = ((cluster.encryption_info or {}).get("encryptionInTransit") or {}).get("clientBroker", "TLS")
    answer: dict[str, str] = {}
    # The listeners MSK opens: plaintext 9092 and TLS 9094 (unauthenticated), SASL/SCRAM
    # 9096, SASL/IAM 9098 (each over TLS unless client-broker encryption is PLAINTEXT).
    if (authentication.get("unauthenticated") or {}).get("enabled", not authentication):
        if encryption in ("PLAINTEXT", "TLS_PLAINTEXT"):
            answer["bootstrapBrokerString"] = _brokers(cluster, 9092)
        if encryption in ("TLS", "TLS_PLAINTEXT"):
            answer["bootstrapBrokerStringTls"] = _brokers(cluster, 9094)
    sasl = authentication.get("sasl") or {}
    if (sasl.get("scram") or {}).get("enabled"):
        answer["bootstrapBrokerStringSaslScram"] = _brokers(cluster, 9096)
    if (sasl.get("iam") or {}).get("enabled"):
        answer["bootstrapBrokerStringSaslIam"] = _brokers(cluster, 9098)
    if (authentication.get("tls") or {}).get("certificateAuthorityArnList"):
        answer["bootstrapBrokerStringTls"] = _brokers(cluster, 9094)
    return json.dumps(answer)


# -- DocumentDB: the "docdb" engine on moto's RDS backend --------------------------------

DOCDB = "docdb"
_cluster_engines = ClusterEngine.list_cluster_engines.__func__
_instance_engines = DbInstanceEngine.valid_db_instance_engine.__func__


def _with_docdb(defaults: Any, value: Any) -> Any:
    def lookup(engine: str, *args: Any, **kwargs: Any) -> Any:
        return value if engine == DOCDB else defaults(engine, *args, **kwargs)

    return staticmethod(lookup)


_db_cluster_init = rds_models.DBCluster.__init__


def _db_cluster_init_docdb(self: Any, *args: Any, **kwargs: Any) -> None:
    _db_cluster_init(self, *args, **kwargs)
    if self.engine == DOCDB and not kwargs.get("storage_type"):
        self.storage_type = None


@in_fresh_moto
def _moto_has_msk_configurations() -> bool:
    kafka = aws_client("kafka")
    arn = kafka.create_configuration(Name="probe", ServerProperties=b"auto.create.topics.enable=false")["Arn"]
    return kafka.describe_configuration(Arn=arn)["Arn"] == arn


@REGISTRY.patch(
    "kafka",
    "configurations: Create/Describe/Update/DeleteConfiguration, DescribeConfigurationRevision, "
    "ListConfigurationRevisions, ListConfigurations",
    _moto_has_msk_configurations,
)
def install_msk_configurations() -> None:
    kafka_urls.url_paths.update(
        {
            "{0}/v1/configurations$": KafkaResponse.dispatch,
            "{0}/v1/configurations/(?P<arn>.+)/revisions/(?P<revision>[0-9]+)$": KafkaResponse.dispatch,
            "{0}/v1/configurations/(?P<arn>.+)/revisions$": KafkaResponse.dispatch,
            "{0}/v1/configurations/(?P<arn>.+)$": KafkaResponse.dispatch,
        }
    )
    KafkaResponse.create_configuration = _create_configuration
    KafkaResponse.describe_configuration = _describe_configuration
    KafkaResponse.describe_configuration_revision = _describe_configuration_revision
    KafkaResponse.list_configuration_revisions = _list_configuration_revisions
    KafkaResponse.update_configuration = _update_configuration
    KafkaResponse.delete_configuration = _delete_configuration
    KafkaResponse.list_configurations = _list_configurations


@in_fresh_moto
def _moto_makes_clusters_active_with_brokers() -> bool:
    kafka = aws_client("kafka")
    arn = kafka.create_cluster(
        ClusterName="probe",
        KafkaVersion="3.6.0",
        NumberOfBrokerNodes=3,
        BrokerNodeGroupInfo={"InstanceType": "kafka.t3.small", "ClientSubnets": ["subnet-1", "subnet-2", "subnet-3"]},
    )["ClusterArn"]
    active = kafka.describe_cluster(ClusterArn=arn)["ClusterInfo"]["State"] == "ACTIVE"
    return active and bool(kafka.get_bootstrap_brokers(ClusterArn=arn).get("BootstrapBrokerStringTls"))


@REGISTRY.patch(
    "kafka",
    "a new provisioned cluster is ACTIVE, and GetBootstrapBrokers answers the brokers of its listeners",
    _moto_makes_clusters_active_with_brokers,
)
def install_active_clusters_with_brokers() -> None:
    KafkaResponse.get_bootstrap_brokers = _get_bootstrap_brokers
    FakeKafkaCluster.__init__ = _cluster_init_active


@in_fresh_moto
def _moto_has_documentdb_engine() -> bool:
    rds = aws_client("rds")
    cluster = rds.create_db_cluster(
        DBClusterIdentifier="probe", Engine=DOCDB, MasterUsername="probe", MasterUserPassword="probe-password"
    )["DBCluster"]
    return cluster.get("Port") == 27017 and "StorageType" not in cluster


@REGISTRY.patch(
    "docdb",
    'the "docdb" engine on the RDS API, with DocumentDB\'s defaults (engine version 5.0.0, port 27017) and its '
    '"standard" storage type left out of answers',
    _moto_has_documentdb_engine,
)
def install_documentdb_engine() -> None:
    ClusterEngine.list_cluster_engines = classmethod(lambda cls: sorted({*_cluster_engines(cls), DOCDB}))
    DbInstanceEngine.valid_db_instance_engine = classmethod(lambda cls: sorted({*_instance_engines(cls), DOCDB}))
    cluster, instance = rds_models.DBCluster, rds_models.DBInstance
    cluster.__init__ = _db_cluster_init_docdb
    cluster.default_engine_version = _with_docdb(cluster.default_engine_version, "5.0.0")
    cluster.default_port = _with_docdb(cluster.default_port, 27017)
    cluster.default_allocated_storage = _with_docdb(cluster.default_allocated_storage, 1)
    instance.default_port = _with_docdb(instance.default_port, 27017)
    instance.default_allocated_storage = _with_docdb(instance.default_allocated_storage, 1)
