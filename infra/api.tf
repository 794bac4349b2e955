locals {
  # The OpenAPI spec the Wake handler is tested against, with the function filled in.
  api_spec = jsondecode(templatefile("${path.module}/../api/openapi.json", {
    wake_invoke_arn = aws_lambda_function.function["wake"].invoke_arn
  }))
}

# The HTTP API is created from the spec. An import names the API after the
# spec's info.title and takes its info.version and info.description, so the
# body carries the resource's own name and the resource the spec's version
# and description: otherwise every plan after the apply would show them as
# changes.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html
resource "aws_apigatewayv2_api" "wake" {
  name          = "${var.name}-wake"
  version       = local.api_spec.info.version
  description   = local.api_spec.info.description
  protocol_type = "HTTP"
  body          = jsonencode(merge(local.api_spec, { info = merge(local.api_spec.info, { title = "${var.name}-wake" }) }))
  tags          = var.tags
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.wake.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit = var.throttle_burst
    throttling_rate_limit  = var.throttle_rate
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      requestTime    = "$context.requestTime"
      httpMethod     = "$context.httpMethod"
      routeKey       = "$context.routeKey"
      path           = "$context.path"
      status         = "$context.status"
      responseLength = "$context.responseLength"
      latencyMs      = "$context.responseLatency"
      integrationErr = "$context.integrationErrorMessage"
    })
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${var.name}-wake"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn == "" ? null : var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowHTTPAPI"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function["wake"].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.wake.execution_arn}/*/*"
}

# Optional custom domain.
resource "aws_apigatewayv2_domain_name" "wake" {
  count       = var.domain_name == "" ? 0 : 1
  domain_name = var.domain_name

  domain_name_configuration {
    certificate_arn = var.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }

  tags = var.tags
}

resource "aws_apigatewayv2_api_mapping" "wake" {
  count       = var.domain_name == "" ? 0 : 1
  api_id      = aws_apigatewayv2_api.wake.id
  domain_name = aws_apigatewayv2_domain_name.wake[0].id
  stage       = aws_apigatewayv2_stage.default.id
}
