# bbws-github-actions-role-{env}: the role the workflows assume through GitHub's OIDC provider.
# It may run the release scripts (Lambda code, versions, aliases, invoke; metrics; the
# deployments table) and nothing else; Terraform itself is applied by hand (runbook 2.2).
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "environment" {
  type = string
}

variable "repository" {
  description = "owner/name of the repository whose workflows may assume the role"
  type        = string
}

variable "function_arn" {
  type = string
}

variable "deployments_table_arn" {
  type = string
}

resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      # DEV deploys from main; SIT and PROD only from their GitHub environments (approvals).
      values = var.environment == "dev" ? ["repo:${var.repository}:ref:refs/heads/main", "repo:${var.repository}:environment:dev"] : ["repo:${var.repository}:environment:${var.environment}"]
    }
  }
}

resource "aws_iam_role" "github" {
  name               = "bbws-github-actions-role-${var.environment}"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "release" {
  statement {
    actions = ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode",
      "lambda:PublishVersion", "lambda:ListVersionsByFunction", "lambda:GetAlias", "lambda:ListAliases",
    "lambda:CreateAlias", "lambda:UpdateAlias", "lambda:InvokeFunction"]
    resources = [var.function_arn, "${var.function_arn}:*"]
  }
  statement {
    actions   = ["dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:GetItem"]
    resources = [var.deployments_table_arn]
  }
  statement {
    actions   = ["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "release" {
  role   = aws_iam_role.github.id
  policy = data.aws_iam_policy_document.release.json
}

output "role_arn" {
  value = aws_iam_role.github.arn
}
