/**
 * `/sora budget` and `/sora usage`: their options, and the core's text grammar built from them
 * (`budget`, `budget workspace 300/month`, `budget <@ID> 5/day`, `usage 2026-11`), so that the core's
 * parser checks amounts and periods and answers a malformed one with its own usage message. Who may
 * change a budget is the core's decision (requester.isAdmin: Manage Messages here, or SORA_ADMINS).
 */
import {
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { Intent, ParseResult } from '../../src/core/intents.js';

/** The Discord spelling of the budget forms, added under the core's (which shows the text grammar). */
export const BUDGET_FORM =
  'In Discord: `/sora budget` shows what is left; admins add `workspace:300/month` (the server’s monthly limit) or `user:@person amount:5/day` (or `40/month`; `off` lifts a limit).';
export const USAGE_FORM =
  'Give the period as `month`, `day` or a month like `2026-11`: `/sora usage period:2026-11`.';

export function moneySubcommands(): APIApplicationCommandSubcommandOption[] {
  const limit = { type: ApplicationCommandOptionType.String, min_length: 2, max_length: 20 } as const;
  return [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'budget',
      description: 'What you and this server have left to spend (admins: set limits)',
      options: [
        {
          ...limit,
          name: 'workspace',
          description: 'Admins: the server’s monthly limit, like 300/month, or off',
        },
        {
          type: ApplicationCommandOptionType.User,
          name: 'user',
          description: 'Admins: whose limit to set (with amount)',
        },
        { ...limit, name: 'amount', description: 'Admins: the person’s limit, like 5/day, 40/month, or off' },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'usage',
      description: 'Spend per day as a chart, with totals (only you see it)',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'period',
          description: 'month (the default), day, or a month like 2026-11',
          min_length: 3,
          max_length: 7,
        },
      ],
    },
  ];
}

type Options = ChatInputCommandInteraction['options'];
type Text = { ok: true; text: string } | { ok: false; problem: string };

/** The budget command as text, or what to type instead when the options do not go together. */
export function budgetText(options: Options): Text {
  const workspace = options.getString('workspace')?.trim() || null;
  const user = options.getUser('user');
  const amount = options.getString('amount')?.trim() || null;
  if (workspace !== null) {
    if (user || amount !== null)
      return {
        ok: false,
        problem: `Set the server’s limit or one person’s, not both at once. ${BUDGET_FORM}`,
      };
    return { ok: true, text: `budget workspace ${workspace}` };
  }
  if (user && amount !== null) return { ok: true, text: `budget <@${user.id}> ${amount}` };
  if (user || amount !== null)
    return { ok: false, problem: `A person’s limit needs both \`user:\` and \`amount:\`. ${BUDGET_FORM}` };
  return { ok: true, text: 'budget' };
}

export function usageText(options: Options): Text {
  const period = options.getString('period')?.trim();
  return { ok: true, text: period ? `usage ${period}` : 'usage' };
}

/**
 * Checks that the core read the command as the one asked for: an amount or a period the grammar does
 * not know reads as a prompt ("budget workspace lots" would be a video), which is refused here.
 */
export function expectKind(
  parsed: ParseResult,
  kind: 'budget' | 'usage',
): { ok: true; intent: Intent } | { ok: false; problem: string } {
  const form = kind === 'budget' ? BUDGET_FORM : USAGE_FORM;
  if (!parsed.ok) return { ok: false, problem: `${parsed.problem.message}\n${form}` };
  if (parsed.intent.kind !== kind) return { ok: false, problem: form };
  return { ok: true, intent: parsed.intent };
}
