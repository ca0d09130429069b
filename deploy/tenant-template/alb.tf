resource "aws_lb_target_group" "wordpress" {
  name        = substr("t-@@tenant_id@@", 0, 32)
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  health_check {
    path    = "/wp-login.php"
    matcher = "200-399"
  }
  tags = local.tags
}

resource "aws_lb_listener_rule" "wordpress" {
  listener_arn = var.listener_arn
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.wordpress.arn
  }
  condition {
    host_header {
      values = [local.domain]
    }
  }
  tags = local.tags
}
