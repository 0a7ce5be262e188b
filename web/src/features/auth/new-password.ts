/** Client-side checks before sending a new password; null when it may be sent. */
export function checkNewPassword(newPassword: string, confirmPassword: string): Record<string, string> | null {
  const problems: Record<string, string> = {};
  if (newPassword.length < 12) problems['newPassword'] = 'Use at least 12 characters';
  else if (newPassword.length > 256) problems['newPassword'] = 'Use at most 256 characters';
  if (confirmPassword !== newPassword) problems['confirmPassword'] = 'The two passwords do not match';
  return Object.keys(problems).length > 0 ? problems : null;
}
