/**
 * Who asked. Ownership and listing are scoped by platform + workspace + user, never by the provider's
 * global list of videos: one API key serves every workspace.
 */
import { z } from 'zod';

export const PLATFORMS = ['slack', 'discord', 'playground'] as const;
export const PlatformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof PlatformSchema>;

export const RequesterSchema = z.object({
  platform: PlatformSchema,
  /** Slack team id, Discord guild id, playground "local". */
  workspace: z.string().min(1),
  user: z.string().min(1),
  /** Shown in messages; never used for decisions. */
  displayName: z.string().optional(),
  /** Set by the adapter from platform roles; SORA_ADMINS is added by the core. */
  isAdmin: z.boolean().default(false),
});
export type Requester = z.infer<typeof RequesterSchema>;
export type RequesterInput = z.input<typeof RequesterSchema>;

export function workspaceKey(r: Pick<Requester, 'platform' | 'workspace'>): string {
  return `${r.platform}:${r.workspace}`;
}

export function requesterKey(r: Pick<Requester, 'platform' | 'workspace' | 'user'>): string {
  return `${r.platform}:${r.workspace}:${r.user}`;
}

export function sameWorkspace(
  a: Pick<Requester, 'platform' | 'workspace'>,
  b: Pick<Requester, 'platform' | 'workspace'>,
): boolean {
  return a.platform === b.platform && a.workspace === b.workspace;
}
