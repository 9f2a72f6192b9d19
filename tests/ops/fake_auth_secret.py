"""A fake Secrets Manager holding one secret, with the staging-label rules a rotation relies
on: PutSecretValue with VersionStages, UpdateSecretVersionStage (moving AWSCURRENT hands
AWSPREVIOUS to the version it leaves; removing a label requires naming the version that has
it), GetSecretValue by label (ResourceNotFoundException when no version has it) and
GetRandomPassword. `on_change(label, value | None)` is told each label's value after every
change, so the real-cluster tests can put them where the node scripts read them."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable

from botocore.exceptions import ClientError

CURRENT, PENDING, PREVIOUS = "AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"


def _error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeSecretsManager:
    def __init__(
        self,
        arn: str,
        current: str,
        on_change: Callable[[str, str | None], None] | None = None,
        generated: Callable[[], str] | None = None,
    ) -> None:
        self.arn = arn
        self.versions: dict[str, str] = {"v0": current}
        self.labels: dict[str, str] = {CURRENT: "v0"}
        self.on_change = on_change or (lambda label, value: None)
        self.generated = generated or (lambda: secrets.token_hex(32))
        self.random_password_requests: list[dict] = []
        self._ids = itertools.count(1)

    def _secret(self, secret_id: str, operation: str) -> None:
        if secret_id != self.arn:
            raise _error("ResourceNotFoundException", f"no secret {secret_id}", operation)

    def _changed(self) -> None:
        for label in (CURRENT, PENDING, PREVIOUS):
            version = self.labels.get(label)
            self.on_change(label, None if version is None else self.versions[version])

    def value_of(self, label: str) -> str | None:
        version = self.labels.get(label)
        return None if version is None else self.versions[version]

    # -- the API calls ops/rotate_cache_auth.py makes ------------------------------------

    def describe_secret(self, SecretId: str) -> dict:
        self._secret(SecretId, "DescribeSecret")
        stages: dict[str, list[str]] = {}
        for label, version in self.labels.items():
            stages.setdefault(version, []).append(label)
        return {"ARN": self.arn, "VersionIdsToStages": stages}

    def get_secret_value(self, SecretId: str, VersionStage: str = CURRENT) -> dict:
        self._secret(SecretId, "GetSecretValue")
        if VersionStage not in self.labels:
            raise _error(
                "ResourceNotFoundException",
                f"Secrets Manager can't find the specified secret value for staging label: {VersionStage}",
                "GetSecretValue",
            )
        version = self.labels[VersionStage]
        return {"ARN": self.arn, "VersionId": version, "SecretString": self.versions[version]}

    def get_random_password(self, **request) -> dict:
        self.random_password_requests.append(request)
        return {"RandomPassword": self.generated()}

    def put_secret_value(self, SecretId: str, ClientRequestToken: str, SecretString: str, VersionStages: list[str]):
        self._secret(SecretId, "PutSecretValue")
        self.versions[ClientRequestToken] = SecretString
        for label in VersionStages:
            self.labels[label] = ClientRequestToken
        self._changed()
        return {"ARN": self.arn, "VersionId": ClientRequestToken, "VersionStages": VersionStages}

    def update_secret_version_stage(
        self,
        SecretId: str,
        VersionStage: str,
        MoveToVersionId: str | None = None,
        RemoveFromVersionId: str | None = None,
    ) -> dict:
        self._secret(SecretId, "UpdateSecretVersionStage")
        holder = self.labels.get(VersionStage)
        if holder is not None and holder != MoveToVersionId and holder != RemoveFromVersionId:
            raise _error(
                "InvalidParameterException",
                f"{VersionStage} is attached to {holder}: name it in RemoveFromVersionId",
                "UpdateSecretVersionStage",
            )
        if MoveToVersionId is not None:
            if VersionStage == CURRENT and holder is not None and holder != MoveToVersionId:
                self.labels[PREVIOUS] = holder
            self.labels[VersionStage] = MoveToVersionId
        elif holder is not None:
            del self.labels[VersionStage]
        self._changed()
        return {"ARN": self.arn}
