terraform {
  # 1.9: the variables' validations refer to other variables (a private
  # address needs wake_subnet_ids, the requests signal its load balancer).
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Below 6.0: the region is read as data.aws_region's name, which
      # provider 6 deprecates for a region attribute that 5.x lacks; the
      # module is tested with 5.100.
      version = ">= 5.60, < 6.0"
    }
  }
}
