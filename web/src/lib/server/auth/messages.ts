// The words of every identity email. Plain text; the same rows feed SMTP and the dev mailbox.

export function verificationCodeEmail(code: string, minutes: number) {
  return {
    subject: `Your Fettle verification code: ${code}`,
    body:
      `Your verification code is ${code}\n\n` +
      `Enter it on the verification page to finish creating your contractor account. ` +
      `It expires in ${minutes} minutes and can be used once.\n\n` +
      `If you did not ask for this, you can ignore this email.`,
  };
}

export function passwordResetEmail(url: string, minutes: number) {
  return {
    subject: 'Reset your Fettle password',
    body:
      `Someone (hopefully you) asked to reset the password for this email address.\n\n` +
      `Choose a new password here: ${url}\n\n` +
      `The link expires in ${minutes} minutes and works once. After the reset you are signed out everywhere.\n` +
      `If you did not ask for this, ignore this email; your password is unchanged.`,
  };
}

export function existingAccountEmail(origin: string, verified: boolean) {
  return {
    subject: 'You already have a Fettle account',
    body: verified
      ? `Someone tried to create an account with this email, but one already exists.\n\n` +
        `Sign in at ${origin}/sign-in, or reset your password at ${origin}/forgot-password.`
      : `Someone tried to create an account with this email. An account already exists but is not verified yet.\n\n` +
        `Finish verification at ${origin}/verify (you can ask for a new code there), then sign in.`,
  };
}

export function invitationEmail(input: {
  url: string;
  agencyName: string;
  /** Null for an agency's first admin, whose agency was just opened for them. */
  inviterName: string | null;
  role: string;
  days: number;
}) {
  return {
    subject: `You're invited to ${input.agencyName} on Fettle`,
    body:
      (input.inviterName
        ? `${input.inviterName} has invited you to join ${input.agencyName} on Fettle as ${input.role === 'admin' ? 'an admin' : 'staff'}.\n\n`
        : `${input.agencyName} is now open on Fettle, with you as its first admin.\n\n`) +
      `Accept the invitation and choose your password here: ${input.url}\n\n` +
      `The link expires in ${input.days} days and works once.`,
  };
}

/** Sign-up answers every address alike (no account discovery); this email tells the owner why no code came. */
export function signUpRefusedEmail(origin: string, reason: 'unknown' | 'portal-off') {
  return {
    subject: 'Your Fettle contractor account could not be created',
    body:
      reason === 'unknown'
        ? `Someone tried to create a Fettle contractor account with this email, but no agency has a contractor record with it.\n\n` +
          `Use the exact email address your agency has on file for you, or ask the agency to add or correct it, then try again at ${origin}/sign-up.\n` +
          `If you did not ask for this, you can ignore this email.`
        : `Someone tried to create a Fettle contractor account with this email, but your agency has not turned on the contractor portal.\n\n` +
          `Contact the agency to get access, then try again at ${origin}/sign-up.\n` +
          `If you did not ask for this, you can ignore this email.`,
  };
}

/** Password reset answers every address alike; an unknown one is told so by email, not on the page. */
export function noAccountResetEmail(origin: string) {
  return {
    subject: 'Reset your Fettle password',
    body:
      `Someone asked to reset the Fettle password for this email address, but there is no account with it.\n\n` +
      `If you work with an agency as a contractor, create your account at ${origin}/sign-up with the email the agency has on file for you. ` +
      `Agency staff join by invitation from their agency's admin.\n` +
      `If you did not ask for this, you can ignore this email.`,
  };
}

export function agencySignUpCodeEmail(input: { code: string; minutes: number; agencyName: string }) {
  return {
    subject: `Your Fettle verification code: ${input.code}`,
    body:
      `Your verification code is ${input.code}\n\n` +
      `Enter it on the sign-up page to open ${input.agencyName} on Fettle; you will be its first admin. ` +
      `It expires in ${input.minutes} minutes.\n\n` +
      `If you did not ask for this, you can ignore this email: nothing is created without the code.`,
  };
}
