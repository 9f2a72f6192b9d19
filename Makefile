# Two commands a user needs (README.md):
#   make gate   set up, synthesize every environment, run the checkov gate
#   make test   set up, run the whole test suite (what .ci/run calls)
# Everything is installed inside the checkout: .tools/ (pipenv), .venv/ (the project,
# from Pipfile.lock), .venv-checkov/ (checkov, isolated because its bc-python-hcl2
# dependency overwrites python-hcl2's `hcl2` package), .venv-parliament/ (parliament, the
# IAM policy linter the tests run over every policy document, with its own pinned botocore),
# .venv-cdktn/ (the project on CDK Terrain instead of CDKTF: CHAT_INFRA_CDK=cdktn, bindings/).

PYTHON ?= python3
PIPENV_VERSION := 2026.10.3
PIPENV := .tools/pipenv/bin/pipenv
VENV_PYTHON := .venv/bin/python

# pip's own index (its configuration, else its built-in default): the Pipfile's source
# reads it from here, so no registry address is written in the repository.
ifndef PIP_INDEX_URL
PIP_INDEX_URL := $(shell $(PYTHON) -m pip config get global.index-url 2>/dev/null || \
  $(PYTHON) -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)')
endif
export PIP_INDEX_URL
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_IGNORE_VIRTUALENVS := 1
export PIPENV_NOSPIN := 1
export PIPENV_YES := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# jsii warns on every start that Node 20 is past end of life (20 is what this
# platform's machines run); the message is known and fills CI logs.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

# Provider-backed tier (make verify, and the provider-marked tests in make test): an AWS
# provider build in a filesystem mirror (versions: verify/provider.env), made by
# `make provider` (tools/ensure_provider.sh: reuses a build, else builds the stand-in).
PROVIDER_MIRROR ?= $(or $(CHAT_INFRA_PROVIDER_MIRROR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/chat-infra/terraform-plugins)
export CHAT_INFRA_PROVIDER_MIRROR := $(PROVIDER_MIRROR)

# actionlint lints .github/workflows in the test suite (a Go module, built into .tools/).
ACTIONLINT_VERSION := v1.7.12
ACTIONLINT := .tools/actionlint

.PHONY: setup synth hcl gate test plan deploy db-bootstrap benchmark verify provider tofu review-engine clean docs review bootstrap-state \
  redrive release restore-attachment restore-backup rotate-secrets rotate-cache-auth

setup: .venv/.synced .venv-checkov/.installed

$(PIPENV):
	$(PYTHON) -m venv .tools/pipenv
	.tools/pipenv/bin/pip install --quiet pipenv==$(PIPENV_VERSION)

.venv/.synced: Pipfile.lock | $(PIPENV)
	$(PIPENV) sync --dev
	touch $@

.venv-checkov/.installed: tools/checkov-requirements.txt
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet --requirement tools/checkov-requirements.txt
	touch $@

.venv-parliament/.installed: tools/parliament-requirements.txt
	$(PYTHON) -m venv .venv-parliament
	.venv-parliament/bin/pip install --quiet --requirement tools/parliament-requirements.txt
	touch $@

.venv-cdktn/.installed: tools/cdktn-requirements.txt
	$(PYTHON) -m venv .venv-cdktn
	.venv-cdktn/bin/pip install --quiet --requirement tools/cdktn-requirements.txt
	touch $@

.venv-moto/.installed: tools/moto-requirements.txt
	$(PYTHON) -m venv .venv-moto
	.venv-moto/bin/pip install --quiet --requirement tools/moto-requirements.txt
	touch $@

synth: setup
	$(VENV_PYTHON) main.py

# Every stack (environments and examples) as plain Terraform, written from the provider's
# schema (hcl_render/): cdktf.out/hcl/<stack>/*.tf. README: Leaving CDK.
hcl: synth
	$(VENV_PYTHON) main.py --environments-dir examples --outdir cdktf.out/examples
	$(VENV_PYTHON) -m hcl_render --stacks-dir cdktf.out/stacks --stacks-dir cdktf.out/examples/stacks

gate: synth
	$(VENV_PYTHON) -m gate

# Without Go the workflow lint is reported as skipped, with the reason, by its test.
$(ACTIONLINT):
	GOBIN=$(CURDIR)/.tools go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION) || \
	  echo "actionlint not built (Go missing or its module proxy unreachable): the workflow lint test will skip"

# The suite runs twice: whole on CDKTF (the default toolchain; it also synthesizes every stack
# with CDK Terrain and compares the JSON, tests/test_toolchains.py), then without the
# provider-backed tests on CDK Terrain, the toolchain the project can move to (README: Two
# toolchains). The tier, the first deploy and the HCL plans run terraform on JSON both
# toolchains already showed equal, so they run once.
test: setup .venv-moto/.installed .venv-parliament/.installed .venv-cdktn/.installed $(ACTIONLINT)
	.venv/bin/ruff check .
	$(VENV_PYTHON) -m mypy
	VENV_PYTHON=$(VENV_PYTHON) tools/run_tests.sh

# The first command of a new environment (ops/bootstrap_state.py): creates or re-checks the
# state bucket and key in the environment's account, and prints its remote_state { } block.
bootstrap-state: setup
	@test -n "$(ENV)" || { echo "usage: make bootstrap-state ENV=<env>" >&2; exit 2; }
	$(VENV_PYTHON) -m ops.bootstrap_state $(ENV)

# Plan review (review/): init, plan -out and show -json for one environment, then the review,
# the data-safety gate and checkov on the plan; deploy then applies exactly that saved plan.
# ALLOW_DESTROY="<address> ..." lets this run delete or replace those stateful resources.
# ENGINE=tofu runs OpenTofu instead of terraform (`make tofu` builds it where it is not on PATH);
# the engine is checked before anything is synthesized (review/__main__.py checks it again).
ENGINE ?= terraform
# verify/engine.py's ENGINE_NAMES (tests/review/test_cli.py keeps the two equal).
REVIEW_ENGINES := terraform tofu
REVIEW_ARGS = $(ENV) --engine '$(ENGINE)' $(foreach address,$(ALLOW_DESTROY),--allow-destroy '$(address)')

review-engine:
	@case ' $(REVIEW_ENGINES) ' in *' $(ENGINE) '*) ;; *) \
	  echo "make $(MAKECMDGOALS): ENGINE: expected one of: $(REVIEW_ENGINES); got '$(ENGINE)'" >&2; exit 2 ;; esac

plan: review-engine synth
	@test -n "$(ENV)" || { echo "usage: make plan ENV=<env> [ENGINE=terraform|tofu] [ALLOW_DESTROY='<address> ...']" >&2; exit 2; }
	$(VENV_PYTHON) -m review plan $(REVIEW_ARGS)

deploy: review-engine synth
	@test -n "$(ENV)" || { echo "usage: make deploy ENV=<env> [ENGINE=terraform|tofu] [ALLOW_DESTROY='<address> ...'] [AUTO_APPROVE=1]" >&2; exit 2; }
	$(VENV_PYTHON) -m review deploy $(REVIEW_ARGS) $(if $(AUTO_APPROVE),--auto-approve)

# Day one, after the first deploy of an environment: run the database admin task once (the
# idempotent role and schema bootstrap, modules/database/sql/bootstrap.sql) and report how it
# ended. Reads the stack's outputs from terraform, or OUTPUTS_JSON=<file of `terraform output -json`>.
db-bootstrap: setup
	@test -n "$(ENV)" || { echo "usage: make db-bootstrap ENV=<env> [OUTPUTS_JSON=<file>]" >&2; exit 2; }
	$(VENV_PYTHON) -m ops.db_bootstrap $(ENV) $(if $(OUTPUTS_JSON),--outputs-json '$(OUTPUTS_JSON)')

# Day two (docs/runbook.md). Each reads names from the synthesized stack of this checkout
# (cdktf.out/stacks/chat-<env>, `make synth`) or the stack's outputs, and exits 0 done,
# 1 failed, 2 nothing done (the reason printed).
# Move a queue's dead letters back to it (ops/redrive.py): WAIT=1 follows the move task,
# DRY_RUN=1 only counts, BY_RECEIVE=1 moves by receive/send/delete (see the module's trade-off).
redrive: setup
	@test -n "$(ENV)" -a -n "$(QUEUE)" || { echo "usage: make redrive ENV=<env> QUEUE=<push|offline> [WAIT=1] [DRY_RUN=1] [BY_RECEIVE=1]" >&2; exit 2; }
	$(VENV_PYTHON) -m ops.redrive $(ENV) '$(QUEUE)' $(if $(WAIT),--wait) $(if $(DRY_RUN),--dry-run) $(if $(BY_RECEIVE),--by-receive)

# Release an image (ops/release.py): write TAG to the service's release parameter, after checking
# the tag and that COLOUR is not the one carrying most traffic (TO_LIVE_COLOUR=1 allows it);
# then `make plan` / `make deploy` roll it out. The worker has no colours.
release: setup
	@test -n "$(ENV)" -a -n "$(SERVICE)" -a -n "$(TAG)" || { echo "usage: make release ENV=<env> SERVICE=<api|realtime|worker> TAG=<tag> [COLOUR=<blue|green>] [TO_LIVE_COLOUR=1]" >&2; exit 2; }
	$(VENV_PYTHON) -m ops.release $(ENV) '$(SERVICE)' '$(TAG)' $(if $(COLOUR),--colour '$(COLOUR)') $(if $(TO_LIVE_COLOUR),--to-live-colour)

# List an attachment's versions, or copy one back over the current one (ops/restore_attachment.py).
restore-attachment: setup
	@test -n "$(ENV)" -a -n "$(KEY)" || { echo "usage: make restore-attachment ENV=<env> KEY=<object key> [VERSION=<version id>|BEFORE=<RFC 3339 time>]" >&2; exit 2; }
	$(VENV_PYTHON) -m ops.restore_attachment $(ENV) '$(KEY)' $(if $(VERSION),--version-id '$(VERSION)') $(if $(BEFORE),--before '$(BEFORE)')

# Restore one store of the backup selection from AWS Backup (ops/restore_backup.py): a database's
# restore { from_snapshot } block to paste, or a restore job into a new bucket or table.
restore-backup: setup
	@test -n "$(ENV)" -a -n "$(TARGET)" || { echo "usage: make restore-backup ENV=<env> TARGET=<backup target name> [BEFORE=<RFC 3339 time>|RECOVERY_POINT=<arn>] [FROM_COPY=1] [INTO=<new bucket or table>|INTO_EXISTING=<bucket>] [KMS_KEY=<arn>] [RESTORING_ENV=<env>] [WAIT=1] [OUTPUTS_JSON=<file>]" >&2; exit 2; }
	$(VENV_PYTHON) -m ops.restore_backup $(ENV) '$(TARGET)' $(if $(BEFORE),--before '$(BEFORE)') $(if $(RECOVERY_POINT),--recovery-point '$(RECOVERY_POINT)') $(if $(FROM_COPY),--from-copy) $(if $(INTO),--into '$(INTO)') $(if $(INTO_EXISTING),--into-existing '$(INTO_EXISTING)') $(if $(KMS_KEY),--kms-key '$(KMS_KEY)') $(if $(RESTORING_ENV),--restoring-environment '$(RESTORING_ENV)') $(if $(WAIT),--wait) $(if $(OUTPUTS_JSON),--outputs-json '$(OUTPUTS_JSON)')

# New tasks for each colour of a service, which read its secrets' current values (ops/rotate_secrets.py).
rotate-secrets: setup
	@test -n "$(ENV)" -a -n "$(SERVICE)" || { echo "usage: make rotate-secrets ENV=<env> SERVICE=<api|realtime|worker> [WAIT=1] [OUTPUTS_JSON=<file>]" >&2; exit 2; }
	$(VENV_PYTHON) -m ops.rotate_secrets $(ENV) '$(SERVICE)' $(if $(WAIT),--wait) $(if $(OUTPUTS_JSON),--outputs-json '$(OUTPUTS_JSON)')

# The Redis Cluster's AUTH password, with a window in which both are accepted; resumable
# (ops/rotate_cache_auth.py). WAIT bounds each service's restart, in seconds (default 900).
rotate-cache-auth: setup
	@test -n "$(ENV)" || { echo "usage: make rotate-cache-auth ENV=<env> [WAIT=<seconds>] [OUTPUTS_JSON=<file>]" >&2; exit 2; }
	$(VENV_PYTHON) -m ops.rotate_cache_auth $(ENV) $(if $(WAIT),--timeout-seconds '$(WAIT)') $(if $(OUTPUTS_JSON),--outputs-json '$(OUTPUTS_JSON)')

benchmark: setup
	$(VENV_PYTHON) tools/benchmark.py $(if $(BEFORE),--before $(BEFORE))

# The example stacks (examples/*.hcl) go through the tier beside the environments.
verify: review-engine synth .venv-moto/.installed
	$(VENV_PYTHON) main.py --environments-dir examples --outdir cdktf.out/examples
	$(VENV_PYTHON) -m verify --stacks-dir cdktf.out/stacks --stacks-dir cdktf.out/examples/stacks --engine '$(ENGINE)'

provider:
	tools/ensure_provider.sh

# OpenTofu for the tier's second engine and ENGINE=tofu (tools/ensure_tofu.sh: reuses tofu on
# PATH or a build, else builds it from its Go module source), and the provider mirror laid
# out for OpenTofu's registry host. Run it after `make provider`: it links the builds that exist.
tofu:
	tools/ensure_tofu.sh

clean:
	rm -rf cdktf.out

# Module READMEs: the inputs/outputs tables between the GENERATED markers come from each
# module's props and typed attributes (docgen/); docs/application-contract.md from stacks
# synthesized per variant (docgen/contract.py); tests/docgen fails when one is stale.
docs: setup
	$(VENV_PYTHON) -m docgen

# Review artifacts for every synthesized stack, under cdktf.out/review/<stack>/: the monthly
# cost estimate (costs/: cost.md, cost.json; BASE=<cdktf.out folder or git ref> adds
# cost-diff.md against it), the architecture diagram (diagram/: DOT, and SVG and PNG when
# graphviz is installed), and the module READMEs' generated tables (docgen/).
review: synth
	$(VENV_PYTHON) -m costs --stacks-dir cdktf.out/stacks --out-dir cdktf.out/review $(if $(BASE),--base '$(BASE)')
	$(VENV_PYTHON) -m diagram --stacks-dir cdktf.out/stacks --out-dir cdktf.out/review
	$(VENV_PYTHON) -m docgen
