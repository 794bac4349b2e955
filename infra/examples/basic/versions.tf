terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # As the module: below 6.0 (see ../../versions.tf).
      version = ">= 5.60, < 6.0"
    }
  }
}
