#!/usr/bin/env bash
# Saves the credentials in the environment (as aws-actions/configure-aws-credentials exports
# them) as AWS CLI profile NAME, so that one job can hold a source and a target account:
#   scripts/release/save-profile.sh dev    # then AWS_PROFILE_DEV=dev scripts/release/promote.sh ...
set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help || $# -ne 1 ]]; then
  echo "usage: scripts/release/save-profile.sh NAME   (reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)"
  [[ $# -eq 1 ]] && exit 0 || exit 2
fi
: "${AWS_ACCESS_KEY_ID:?no credentials in the environment}" "${AWS_SECRET_ACCESS_KEY:?}"
aws configure set aws_access_key_id "$AWS_ACCESS_KEY_ID" --profile "$1"
aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY" --profile "$1"
aws configure set aws_session_token "${AWS_SESSION_TOKEN:-}" --profile "$1"
echo "saved the current credentials as profile $1"
