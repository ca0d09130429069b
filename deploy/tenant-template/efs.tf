resource "aws_efs_access_point" "content" {
  file_system_id = var.efs_file_system_id
  posix_user {
    uid = 33
    gid = 33
  }
  root_directory {
    path = "/tenants/@@tenant_id@@"
    creation_info {
      owner_uid   = 33
      owner_gid   = 33
      permissions = "0755"
    }
  }
  tags = local.tags
}
