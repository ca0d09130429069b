output "ecs_service_arn" { value = aws_ecs_service.wordpress.id }
output "ecs_task_definition_arn" { value = aws_ecs_task_definition.wordpress.arn }
output "efs_access_point_id" { value = aws_efs_access_point.content.id }
output "alb_target_group_arn" { value = aws_lb_target_group.wordpress.arn }
output "alb_listener_rule_arn" { value = aws_lb_listener_rule.wordpress.arn }
output "database_name" { value = local.database_name }
output "database_secret_arn" { value = aws_secretsmanager_secret.database.arn }
