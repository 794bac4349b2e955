# The services list as an S3 object, for lists over Lambda's 4 KB of
# environment variables (services_storage = "s3"). The bucket keeps versions:
# each function's environment names the version it was deployed with, and the
# lists it replaced stay for a rollback (a few kilobytes each).

locals {
  services_in_s3 = var.services_storage == "s3" && length(var.services) > 0
  # The functions refuse a larger list (internal/configstore.MaxBytes).
  services_max_bytes = 1048576
  # In bytes, as the functions count it (see environment_bytes in lambda.tf).
  services_bytes = floor(length(trimsuffix(trimsuffix(base64encode(local.services_json), "="), "=")) * 3 / 4)
}

resource "aws_s3_bucket" "config" {
  count = local.services_in_s3 ? 1 : 0

  bucket_prefix = "${lower(replace(var.name, "_", "-"))}-config-"
  # The bucket holds only what the module writes; destroy takes it with its versions.
  force_destroy = true
  tags          = var.tags
}

resource "aws_s3_bucket_versioning" "config" {
  count  = local.services_in_s3 ? 1 : 0
  bucket = aws_s3_bucket.config[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "config" {
  count  = local.services_in_s3 ? 1 : 0
  bucket = aws_s3_bucket.config[0].id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_object" "services" {
  count = local.services_in_s3 ? 1 : 0

  bucket       = aws_s3_bucket.config[0].id
  key          = "services.json"
  content      = local.services_json
  content_type = "application/json"
  tags         = var.tags

  # Written after versioning is on, so the first list has a version to pin.
  depends_on = [aws_s3_bucket_versioning.config]

  lifecycle {
    precondition {
      condition     = local.services_bytes <= local.services_max_bytes
      error_message = "The services list is ${local.services_bytes} bytes; the functions read at most ${local.services_max_bytes}. Split the services over two deployments (name)."
    }
  }
}
