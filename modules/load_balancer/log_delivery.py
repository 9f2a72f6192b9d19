"""Who writes a load balancer's access and connection logs into S3, per region (pure).

Elastic Load Balancing delivers log files from an AWS-owned identity that the log
bucket's policy must allow to `s3:PutObject`. Which identity depends on the region:

- regions that opened before August 2022 use a regional ELB account (e.g. eu-west-1:
  156460612806), named as the account root "arn:<partition>:iam::<account>:root";
- regions that opened since use the service principal
  "logdelivery.elasticloadbalancing.amazonaws.com" (no regional account exists there).

Sources: the ALB user guide, "Enable access logs for your Application Load Balancer",
step 2 (the two lists), and the same account table in the AWS provider's
aws_elb_service_account data source (internal/service/elb/service_account_data_source.go),
which also has no account for me-central-1, the first region of the newer kind.

A literal table instead of that data source: the policy stays literal for reviewers and
checkov, and a plan needs no lookup. An unknown region is taken to be a new one (AWS
documents the service principal for every region opened since August 2022), which is
also the only safe guess: an account id for a region that has none would not exist.
Nothing here imports cdktf.
"""

from __future__ import annotations

from modules.common.aws_arn import partition_for_region

# Service principal of ELB log delivery in regions opened since August 2022.
LOG_DELIVERY_SERVICE_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"

# Regions opened before August 2022 and their Elastic Load Balancing account.
ELB_LOG_DELIVERY_ACCOUNTS: dict[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
}


def log_delivery_principal(region: str) -> tuple[str, list[str]]:
    """The (type, identifiers) principal that delivers ELB logs in `region`, for a bucket policy."""
    account = ELB_LOG_DELIVERY_ACCOUNTS.get(region)
    if account is None:
        return ("Service", [LOG_DELIVERY_SERVICE_PRINCIPAL])
    return ("AWS", [f"arn:{partition_for_region(region)}:iam::{account}:root"])
