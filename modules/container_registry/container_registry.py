"""A private ECR repository for one service's images."""

from __future__ import annotations

import json
from typing import Any

from bindings.aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from bindings.aws.ecr_repository import (
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
    EcrRepositoryImageScanningConfiguration,
)
from constructs import Construct

from modules.common.keys import ManagedKey
from modules.common.policy import policy_statement
from modules.common.roles import Grantee
from modules.common.stack_context import module_context
from modules.common.statement_ids import sid_part
from modules.container_registry.props import ContainerRepositoryProps


def lifecycle_rules(keep_last_images: int, untagged_expiry_days: int) -> dict[str, Any]:
    """The repository's lifecycle policy: untagged images first, then all but the newest N."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Expire untagged images after {untagged_expiry_days} days",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": untagged_expiry_days,
                },
                "action": {"type": "expire"},
            },
            {
                # ECR requires the "any" rule to have the highest priority number.
                "rulePriority": 2,
                "description": f"Keep the {keep_last_images} most recent images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_last_images},
                "action": {"type": "expire"},
            },
        ]
    }


class ContainerRepository(Construct):
    """Immutable tags (a tag names one image for ever, so a deployed tag cannot change
    under a running service), scan on push, KMS encryption, lifecycle.

    Typed outputs (attributes): repository_name, repository_url, arn, kms_key_arn.
    Helpers: grant_pull(grantee).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: ContainerRepositoryProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        kms_key_arn = props.kms_key_arn
        if kms_key_arn is None:
            context = module_context(self, props)
            kms_key_arn = ManagedKey(
                self,
                "key",
                alias=f"alias/{props.repository_name}-images",
                description=f"Encrypts the {props.service} images of {props.name}",
                partition=context.partition,
                account_id=context.account_id,
                tags={**props.tags, "Name": f"{props.repository_name}-images"},
            ).arn
        self.repository = EcrRepository(
            self,
            "repository",
            name=props.repository_name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=EcrRepositoryImageScanningConfiguration(scan_on_push=True),
            # ECR creates its own grant on the key when the repository is created, so
            # pulling principals need no kms: permissions of their own.
            encryption_configuration=[EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=kms_key_arn)],
            # A repository holding images is never deleted by an apply: the running
            # tasks' images, and every rollback target, live here.
            force_delete=False,
            tags={**props.tags, "Name": props.repository_name},
        )
        EcrLifecyclePolicy(
            self,
            "lifecycle_policy",
            repository=self.repository.name,
            policy=json.dumps(lifecycle_rules(props.keep_last_images, props.untagged_expiry_days)),
        )
        self.repository_name: str = props.repository_name
        self.repository_url: str = self.repository.repository_url
        self.arn: str = self.repository.arn
        self.kms_key_arn: str = kms_key_arn

    def grant_pull(self, grantee: Grantee) -> None:
        """Let `grantee` (a task execution role) pull this repository's images, and no other's."""
        service = sid_part(self.props.service)
        grantee.add_to_policy(
            policy_statement(
                f"Pull{service}Images",
                ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                [self.arn],
            ),
            # ecr:GetAuthorizationToken has no resource-level permissions: AWS requires "*".
            # The token alone reads nothing; the statement above scopes what it pulls.
            policy_statement(f"GetRegistryTokenFor{service}", ["ecr:GetAuthorizationToken"], ["*"]),
        )
