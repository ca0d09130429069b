// What a caller may do, as the API's policy decides it (the table of src/service/policy.cpp and
// docs/console.md). Links say what a resource's state allows; this says what the caller's role
// allows; the console offers an action only when both agree.
import { isPlatformAdmin, isPlatformStaff, current } from './session.js';

// action: [platform admin, platform operator, tenant Admin, Operator, Viewer]
const RULES = {
  createTenant: [1, 1, 0, 0, 0],
  updateTenant: [1, 0, 1, 0, 0],
  lifecycle: [1, 0, 0, 0, 0],
  manageMembers: [1, 0, 1, 0, 0],
  readMembers: [1, 1, 1, 1, 0],
  readInvitations: [1, 1, 1, 0, 0],
  provision: [1, 1, 1, 0, 0],
  operate: [1, 1, 1, 1, 0],
};
const ROLE_COLUMN = { Admin: 2, Operator: 3, Viewer: 4 };

// `role` is the caller's role in the tenant (null when not a member).
export function allowed(action, role) {
  const rule = RULES[action];
  const s = current();
  if (!rule || !s) return false;
  if (isPlatformAdmin(s) && rule[0]) return true;
  if (isPlatformStaff(s) && !isPlatformAdmin(s) && rule[1]) return true;
  return role ? !!rule[ROLE_COLUMN[role]] : false;
}
