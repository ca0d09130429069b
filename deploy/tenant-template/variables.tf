# Environment-wide values, supplied by the workflow from the environment's shared.tfvars.
variable "execution_role_arn" { type = string }
variable "task_role_arn" { type = string }
variable "database_host" { type = string }
variable "efs_file_system_id" { type = string }
variable "subnet_ids" { type = list(string) }
variable "security_group_ids" { type = list(string) }
variable "vpc_id" { type = string }
variable "listener_arn" { type = string }
