# SIT: account 815856636111, region eu-west-1 (runbook section 10).
terraform {
  required_version = ">= 1.5.0"
  backend "s3" {
    bucket         = "bbws-terraform-state-sit"
    key            = "tenant-lambda/sit/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "terraform-state-lock-sit"
    encrypt        = true
  }
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
  }
}

provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["815856636111"]
  default_tags {
    tags = {
      Service     = "tenant-instance-management"
      Environment = "sit"
    }
  }
}

variable "cognito_user_pool_id" {
  type = string
}

variable "cognito_client_id" {
  type = string
}

variable "ecs_cluster_arn" {
  type = string
}

variable "alarm_email" {
  type    = string
  default = ""
}

module "tenant_service" {
  source               = "../../modules/tenant-service"
  environment          = "sit"
  initial_package      = "${path.root}/../../../../dist/tenantd-lambda-arm64.zip"
  log_retention_days   = 30
  cognito_user_pool_id = var.cognito_user_pool_id
  cognito_client_id    = var.cognito_client_id
  ecs_cluster_arn      = var.ecs_cluster_arn
  alarm_email          = var.alarm_email
}

module "github_oidc" {
  source                = "../../modules/github-oidc"
  environment           = "sit"
  repository            = "BigBeardWebSolutions/2_bbws_tenants_instances_lambda"
  function_arn          = "arn:aws:lambda:eu-west-1:815856636111:function:${module.tenant_service.function_name}"
  deployments_table_arn = "arn:aws:dynamodb:eu-west-1:815856636111:table/${module.tenant_service.deployments_table}"
}

output "api_url" {
  value = module.tenant_service.api_url
}

output "github_actions_role_arn" {
  value = module.github_oidc.role_arn
}
