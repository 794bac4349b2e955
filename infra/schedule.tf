resource "aws_cloudwatch_event_rule" "autosleep" {
  name                = "${var.name}-autosleep"
  description         = "Puts idle ECS services to sleep."
  schedule_expression = var.schedule
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "autosleep" {
  rule = aws_cloudwatch_event_rule.autosleep.name
  arn  = aws_lambda_function.function["autosleep"].arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function["autosleep"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.autosleep.arn
}
