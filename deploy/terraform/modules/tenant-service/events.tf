resource "aws_cloudwatch_event_bus" "tenant" {
  name = "tenant-events-${var.environment}"
}

resource "aws_sns_topic" "notifications" {
  name = "tenant-notifications-${var.environment}"
}

# Every minute: drain the outbox leftovers and expire invitations (docs/events.md and docs/lambda.md).
resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${local.name}-schedule"
  schedule_expression = "rate(1 minute)"
}

# ECS service and deployment events of the environment's cluster (docs/instances.md#progress-reports).
resource "aws_cloudwatch_event_rule" "ecs" {
  name = "${local.name}-ecs-events"
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Service Action", "ECS Deployment State Change"]
    resources     = [{ prefix = replace(var.ecs_cluster_arn, ":cluster/", ":service/") }]
  })
}

resource "aws_cloudwatch_event_target" "lambda" {
  for_each = {
    schedule = aws_cloudwatch_event_rule.schedule.name
    ecs      = aws_cloudwatch_event_rule.ecs.name
  }
  rule = each.value
  arn  = aws_lambda_alias.latest.arn
}

resource "aws_lambda_permission" "events" {
  for_each = {
    schedule = aws_cloudwatch_event_rule.schedule.arn
    ecs      = aws_cloudwatch_event_rule.ecs.arn
  }
  statement_id  = "events-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  qualifier     = aws_lambda_alias.latest.name
  principal     = "events.amazonaws.com"
  source_arn    = each.value
}
