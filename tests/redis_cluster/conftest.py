"""The formed six-node cluster the real-cluster test modules share the making of: one per
module and per Redis build (harness.BUILDS), skipped with the reason where a build is missing."""

from __future__ import annotations

import pytest

from tests.redis_cluster.harness import BUILDS, RedisBuild, formed_cluster


@pytest.fixture(scope="module", params=sorted(BUILDS))
def cluster(request, tmp_path_factory):
    build: RedisBuild = BUILDS[request.param]
    if build.missing:
        pytest.skip(f"{build.label}: {build.missing}")
    with formed_cluster(
        tmp_path_factory.mktemp(f"{request.module.__name__.rsplit('.', 1)[-1]}-{request.param}"), build
    ) as test_cluster:
        yield test_cluster
