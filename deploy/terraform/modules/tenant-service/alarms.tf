# The alarms of docs/operations.md#observability and docs/operations.md#deployment-pipeline, named bbws-tenant-instance-management-{env}-<what>
# (the runbook's section 8.3 lists them by that prefix). All notify the alarm topic.
resource "aws_sns_topic" "alarms" {
  name = "${local.name}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  # tomap: both dimension sets are map(string), so the alarm entries share one type.
  lambda_dims = tomap({ FunctionName = aws_lambda_function.api.function_name })
  app_dims    = tomap({ Environment = var.environment })
  alarms = {
    errors                   = { ns = "AWS/Lambda", metric = "Errors", stat = "Sum", threshold = 5, dims = local.lambda_dims }
    throttles                = { ns = "AWS/Lambda", metric = "Throttles", stat = "Sum", threshold = 0, dims = local.lambda_dims }
    duration-p99             = { ns = "AWS/Lambda", metric = "Duration", stat = "p99", threshold = 10000, dims = local.lambda_dims }
    park-failures            = { ns = "BBWS/TenantManagement", metric = "ParkFailures", stat = "Sum", threshold = 0, dims = local.app_dims }
    unpark-failures          = { ns = "BBWS/TenantManagement", metric = "UnparkFailures", stat = "Sum", threshold = 0, dims = local.app_dims }
    status-transition-errors = { ns = "BBWS/TenantManagement", metric = "StatusTransitionErrors", stat = "Sum", threshold = 0, dims = local.app_dims }
    outbox-failed            = { ns = "BBWS/TenantManagement", metric = "OutboxFailed", stat = "Sum", threshold = 0, dims = local.app_dims }
  }
}

resource "aws_cloudwatch_metric_alarm" "alarm" {
  for_each            = local.alarms
  alarm_name          = "${local.name}-${each.key}"
  namespace           = each.value.ns
  metric_name         = each.value.metric
  dimensions          = each.value.dims
  statistic           = each.value.stat == "Sum" ? "Sum" : null
  extended_statistic  = each.value.stat == "Sum" ? null : each.value.stat
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 2
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
