"""The document-store variant "documentdb": Amazon DocumentDB (`document_store = "documentdb"`).

`build_documentdb(platform)` creates the cluster from the environment file's
`documentdb { }` block and wires it to the platform's services: the API and the realtime
service (which write and read conversations) reach port 27017 and may read the master
secret, and the services learn the endpoints and the secret's ARN from their environment.
The root puts the cluster in the backup selection and watches it (its Component methods).

The services read the secret at run time (not as an ECS secret injected at start):
DocumentDB rotates the managed password, and a task started before a rotation would keep
the old one; on an authentication failure the client reads the secret again.
"""

from __future__ import annotations

from modules.common.inputs import props_from_block
from modules.documentdb import DocumentDatabase, DocumentDatabaseProps
from stacks.platform import Platform

# The services that keep documents: the REST API (history, rooms) and realtime (messages).
DOCUMENT_SERVICES: tuple[str, ...] = ("api", "realtime")


def build_documentdb(platform: Platform) -> DocumentDatabase:
    """The DocumentDB cluster of the file's `documentdb { }` block, wired to the services that keep documents."""
    config, network = platform.config, platform.network
    database = DocumentDatabase(
        platform.scope,
        "documentdb",
        props=props_from_block(
            DocumentDatabaseProps,
            config.block("documentdb"),
            **platform.stack_inputs,
            vpc_id=network.vpc_id,
            subnet_ids=tuple(network.data_subnet_ids),
            availability_zones=tuple(network.availability_zones),
        ),
    )
    for name in DOCUMENT_SERVICES:
        service = platform.services[name]
        database.allow_from(service.security_group)
        database.grant_read_secret(service)
        service.add_environment(
            "DOCUMENTDB_HOST",
            database.endpoint,
            meaning="DocumentDB cluster endpoint (the primary) for writes; TLS required (Amazon's RDS CA bundle).",
        )
        service.add_environment(
            "DOCUMENTDB_READER_HOST",
            database.reader_endpoint,
            meaning="DocumentDB reader endpoint, balanced over the replicas, for reads that tolerate lag.",
        )
        service.add_environment("DOCUMENTDB_PORT", str(database.port), meaning="Port of both DocumentDB endpoints.")
        # The ARN of the secret (not its value); the variable name avoids the words the
        # service module reserves for secret values.
        service.add_environment(
            "DOCUMENTDB_LOGIN_ARN",
            database.secret_arn,
            meaning="ARN of the Secrets Manager secret holding the DocumentDB login (JSON: username, password). "
            "Read it at run time and again after an authentication failure: AWS rotates it.",
        )
    return database
