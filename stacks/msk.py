"""The messaging variant "msk": Amazon MSK instead of the SQS queues (`messaging = "msk"`).

`build_msk(platform)` creates the cluster from the environment file's `msk { }` block
and wires it to the platform's services: the services reach the brokers' IAM port, the API and the
realtime service produce to the topics the SQS variant has as queues, the worker consumes
them as one consumer group and creates them (topic auto-creation is off), and every
service learns the bootstrap brokers and topic names from its environment.

With this variant the stack creates no SQS queues and gives the worker no queue-backlog
scaling (it scales on CPU); Kafka consumer lag is the signal to watch instead.
"""

from __future__ import annotations

from modules.common.inputs import props_from_block
from modules.msk import KafkaCluster, KafkaClusterProps
from stacks.platform import QUEUES, SERVICES, Platform


def topics() -> tuple[str, ...]:
    """The topics: what the SQS variant keeps in queues, under the same names."""
    return tuple(QUEUES.values())


def topic_variable(topic: str) -> str:
    """ "push-notifications" -> "KAFKA_TOPIC_PUSH_NOTIFICATIONS"."""
    return f"KAFKA_TOPIC_{topic.upper().replace('-', '_').replace('.', '_')}"


def build_msk(platform: Platform) -> KafkaCluster:
    """The MSK cluster of the file's `msk { }` block, wired to the services."""
    config, network = platform.config, platform.network
    cluster = KafkaCluster(
        platform.scope,
        "msk",
        props=props_from_block(
            KafkaClusterProps,
            config.block("msk"),
            **platform.stack_inputs,
            vpc_id=network.vpc_id,
            subnet_ids=tuple(network.data_subnet_ids),
        ),
    )
    api, realtime, worker = (platform.services[name] for name in SERVICES)
    names = topics()
    consumer_group = f"{config.stack_name}-worker"
    # Producers: realtime queues what a user who went offline must get (and its push), the
    # API the pushes it triggers itself. The worker consumes both and creates them.
    for producer in (api, realtime):
        cluster.allow_from(producer.security_group)
        cluster.grant_produce(producer, names)
    cluster.allow_from(worker.security_group)
    cluster.grant_consume(worker, names, consumer_group)
    cluster.grant_create_topics(worker, names)
    for service in (api, realtime, worker):
        service.add_environment(
            "KAFKA_BOOTSTRAP_BROKERS",
            cluster.bootstrap_brokers,
            meaning="MSK bootstrap brokers (host:port,...) on the IAM port: TLS and SASL/OAUTHBEARER or "
            "AWS_MSK_IAM with the task role; no other authentication is accepted.",
        )
        for topic in names:
            service.add_environment(
                topic_variable(topic),
                topic,
                meaning=f"Name of the Kafka topic that carries what the SQS variant's {topic} queue does: "
                "the API and realtime produce to it, the worker consumes it.",
            )
    worker.add_environment(
        "KAFKA_CONSUMER_GROUP",
        consumer_group,
        meaning="The consumer group the worker joins (the only one its role may use); it also creates the "
        "topics, since topic auto-creation is off.",
    )
    return cluster
