# The tenant's WordPress service: tier @@tier@@.
resource "aws_ecs_task_definition" "wordpress" {
  family                   = local.service_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "@@cpu@@"
  memory                   = "@@memory@@"
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  container_definitions = jsonencode([{
    name      = "wordpress"
    image     = "wordpress:@@wordpress_version@@-php@@php_version@@-apache"
    essential = true
    portMappings = [{ containerPort = 80, protocol = "tcp" }]
    environment = [
      { name = "WORDPRESS_DB_HOST", value = var.database_host },
      { name = "WORDPRESS_DB_NAME", value = local.database_name },
    ]
    secrets = [
      { name = "WORDPRESS_DB_PASSWORD", valueFrom = "${aws_secretsmanager_secret.database.arn}:password::" },
    ]
    mountPoints = [{ sourceVolume = "content", containerPath = "/var/www/html/wp-content" }]
  }])
  volume {
    name = "content"
    efs_volume_configuration {
      file_system_id     = var.efs_file_system_id
      transit_encryption = "ENABLED"
      authorization_config {
        access_point_id = aws_efs_access_point.content.id
        iam             = "ENABLED"
      }
    }
  }
  tags = local.tags
}

resource "aws_ecs_service" "wordpress" {
  name            = local.service_name
  cluster         = data.aws_ecs_cluster.this.arn
  task_definition = aws_ecs_task_definition.wordpress.arn
  desired_count   = @@desired_count@@
  launch_type     = "FARGATE"
  network_configuration {
    subnets         = var.subnet_ids
    security_groups = var.security_group_ids
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.wordpress.arn
    container_name   = "wordpress"
    container_port   = 80
  }
  # Scaling and suspension are done by the ecs driver; Terraform must not undo them.
  lifecycle {
    ignore_changes = [desired_count]
  }
  propagate_tags = "SERVICE"
  tags           = local.tags
}
