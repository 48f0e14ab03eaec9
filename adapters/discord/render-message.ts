/**
 * Renders the neutral messages (src/core/messages.ts) as Discord message payloads: content, embeds and
 * button rows. Everything a person typed (prompts, names) is escaped with discord.js's escapeMarkdown,
 * every payload carries `allowedMentions: { parse: [] }`, so an echoed prompt containing `@everyone` or
 * `<@&role>` can never ping anyone (docs/platforms.md, Discord), and every text the payload shows goes
 * through neutraliseLinks (safe-text.ts), so no link anyone typed renders live. The only live links are
 * the adapter's own `ownLines` (the signed download link), added after that pass.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
  escapeMarkdown,
} from 'discord.js';
import type { Action, BotMessage, JobView, ResultMessage, StatusMessage } from '../../src/core/messages.js';
import { describeOptions, statusLine, truncate } from '../../src/core/render-text.js';
import { encodeComponentId } from './custom-ids.js';
import { type DiscordFile, renderUsage } from './render-usage.js';
import { neutraliseLinks } from './safe-text.js';

/** Never let a rendered message mention anyone: not @everyone, not a role, not the requester. */
export const NO_MENTIONS = { parse: [] as never[] } as const;

/**
 * What a message may ping: nobody, or (the delivered video or failure of a requester who wants to be
 * told, notify-settings.ts) exactly that one user, named by id, with nothing parsed from the text.
 */
export type AllowedMentions = typeof NO_MENTIONS | { parse: never[]; users: [string] };

/** Only a snowflake is ever put in `users`: the requester's id, never text anyone typed. */
export function requesterPing(user: string | null | undefined): AllowedMentions {
  return user && /^\d{17,20}$/.test(user) ? { parse: [], users: [user] } : NO_MENTIONS;
}

export interface DiscordMessagePayload {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowedMentions: AllowedMentions;
  /** Files sent with the message (the `/sora usage` chart); absent for everything else. */
  files?: DiscordFile[];
}

/** Discord's content limit is 2000 characters; prompts are cut well below it. */
const CONTENT_MAX = 2000;
const PROMPT_MAX = 600;
const TONE_ICON = { info: 'ℹ️', success: '✅', warning: '⚠️', error: '❌' } as const;
const EMBED_COLOUR = 0x5865f2;

/**
 * `ownLines`: lines the adapter wrote itself and vouches for (the link to a download), appended to the
 * content after links are neutralised, so they stay live. Nothing from the core or a person goes there.
 */
export function renderMessage(message: BotMessage, ownLines: readonly string[] = []): DiscordMessagePayload {
  switch (message.kind) {
    case 'status':
      // Approve / Deny while the job waits for an admin; an edit without actions removes them.
      return payload(renderStatus(message), [], message.actions ?? []);
    case 'result':
      // The caption names the requester (`by <@id>`): with their ping allowed, that mention notifies.
      return pinging(payload(renderResult(message), [], message.actions, ownLines), message.mention);
    case 'failure': {
      const ping = requesterPing(message.mention);
      return pinging(
        payload(
          [
            `${'users' in ping ? `<@${ping.users[0]}> ` : ''}⚠️ ${escapeMarkdown(message.text)}`,
            ...(message.hint ? [escapeMarkdown(message.hint)] : []),
            ...(message.job ? [`Video \`${message.job.id}\``] : []),
            ...(message.requestId ? [`Provider request id: \`${codeSafe(message.requestId)}\``] : []),
          ].join('\n'),
          [],
          // Retry, when the same request may work another time.
          message.actions ?? [],
        ),
        message.mention,
      );
    }
    case 'list':
      return payload('', [listEmbed(message)], message.actions);
    case 'job_details': {
      const j = message.job;
      const state = `${j.state}${j.state === 'rendering' ? ` ${j.progress}%` : ''}${message.queuePosition ? ` (#${message.queuePosition} in the queue)` : ''}`;
      return payload(
        [`\`${j.id}\`: **${state}**`, jobLine(j), `> ${quote(j.prompt, PROMPT_MAX)}`].join('\n'),
        [],
        message.actions,
      );
    }
    case 'help':
      return payload('', [
        {
          title: 'sora-bot makes short videos with Sora 2',
          color: EMBED_COLOUR,
          description: [
            '`/sora generate prompt: [image:] [seconds:] [size:] [model:] [fit:]`: make a video (attach an image to animate it; `fit:` cover fills the frame and crops, contain shows the whole image with bars).',
            '`/sora remix video: prompt:`: a new version of a finished video.',
            '`/sora status video:` · `/sora list [all:] [page:]` · `/sora delete video:`',
            '`/sora budget`: what you and the server have left (admins: `workspace:300/month`, or `user:` with `amount:5/day`, `off` lifts a limit) · `/sora usage [period:]`: spend as a chart, only you see it.',
            'Right-click a message › Apps › **Remix with Sora** (on a video) or **Animate with Sora** (on an image).',
            'React to a video with 🔁 (or the remix emoji this server was given) to remix it, with ❌ on your own video to delete it.',
            '',
            ...message.notes.map((n) => `• ${n}`),
          ].join('\n'),
        },
      ]);
    case 'usage': {
      const { embeds, files } = renderUsage(message);
      return { ...payload('', embeds), ...(files.length > 0 ? { files } : {}) };
    }
    case 'notice':
      // Notices are sentences the bot wrote (they quote ids in backticks): keep their markdown.
      return payload(`${TONE_ICON[message.tone]} ${message.text}`);
  }
}

/** The first line of a status or result: the prompt, quoted and escaped. */
function promptLine(job: JobView): string {
  return `🎬 **${escapeMarkdown(truncate(oneLine(job.prompt), PROMPT_MAX))}**`;
}

/** Options, remix parent, requester (a mention that pings nobody: NO_MENTIONS) and the short id. */
export function jobLine(job: JobView): string {
  return `${describeOptions(job)} · by ${requesterMention(job)} · id \`${job.id}\``;
}

function renderStatus(message: StatusMessage): string {
  return [promptLine(message.job), jobLine(message.job), statusLine(message)].join('\n');
}

/** The caption under a delivered video. */
export function renderResult(message: ResultMessage): string {
  return [promptLine(message.job), jobLine(message.job), ...message.notes].join('\n');
}

function requesterMention(job: JobView): string {
  return /^\d{1,20}$/.test(job.requesterUser)
    ? `<@${job.requesterUser}>`
    : escapeMarkdown(job.requesterName ?? job.requesterUser);
}

function listEmbed(message: Extract<BotMessage, { kind: 'list' }>): APIEmbed {
  const title = message.scope === 'mine' ? 'Your videos' : 'Videos in this channel';
  if (message.total === 0)
    return { title, color: EMBED_COLOUR, description: 'None yet. Make one with `/sora generate`.' };
  return {
    title: `${title} (${message.total})`,
    color: EMBED_COLOUR,
    description: message.jobs
      .map(
        (j) =>
          `\`${j.id}\` · **${j.state}${j.state === 'rendering' ? ` ${j.progress}%` : ''}** · ${describeOptions(j)}\n> ${quote(j.prompt, 120)}`,
      )
      .join('\n'),
    footer: { text: `Page ${message.page} of ${message.pageCount}` },
  };
}

const BUTTON_STYLE: Record<
  Action['kind'],
  ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger
> = {
  remix: ButtonStyle.Primary,
  delete: ButtonStyle.Danger,
  list_page: ButtonStyle.Secondary,
  approve: ButtonStyle.Success,
  deny: ButtonStyle.Danger,
  cancel: ButtonStyle.Danger,
  retry: ButtonStyle.Primary,
  again: ButtonStyle.Secondary,
};

export function actionRows(actions: readonly Action[]): APIActionRowComponent<APIButtonComponent>[] {
  if (actions.length === 0) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: actions.slice(0, 5).map((action) => ({
        type: ComponentType.Button,
        style: BUTTON_STYLE[action.kind],
        label: action.label,
        custom_id: encodeComponentId(
          action.kind === 'list_page'
            ? { kind: 'list_page', page: action.page, all: action.all }
            : { kind: action.kind, jobId: action.jobId },
        ),
      })),
    },
  ];
}

/** Allows the one ping of the requester, when the content mentions them. */
function pinging(rendered: DiscordMessagePayload, mention: string | null | undefined): DiscordMessagePayload {
  const ping = requesterPing(mention);
  if (!('users' in ping) || !rendered.content.includes(`<@${ping.users[0]}>`)) return rendered;
  return { ...rendered, allowedMentions: ping };
}

function payload(
  content: string,
  embeds: APIEmbed[] = [],
  actions: readonly Action[] = [],
  ownLines: readonly string[] = [],
): DiscordMessagePayload {
  // The adapter's own lines are kept whole; what is cut for length is the rest.
  const own = ownLines.join('\n');
  const rest = truncate(neutraliseLinks(content), CONTENT_MAX - (own ? own.length + 1 : 0));
  return {
    content: [rest, own].filter((part) => part !== '').join('\n'),
    embeds: embeds.map(neutraliseEmbed),
    components: actionRows(actions),
    allowedMentions: NO_MENTIONS,
  };
}

/** Discord's embed limits; neutralising adds characters, so they are applied again after it. */
const EMBED_MAX = {
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
};

/** Every text an embed shows (descriptions and field values render masked links). */
function neutraliseEmbed(embed: APIEmbed): APIEmbed {
  const safe = (text: string, max: number) => truncate(neutraliseLinks(text), max);
  return {
    ...embed,
    ...(embed.title !== undefined ? { title: safe(embed.title, EMBED_MAX.title) } : {}),
    ...(embed.description !== undefined
      ? { description: safe(embed.description, EMBED_MAX.description) }
      : {}),
    ...(embed.footer ? { footer: { ...embed.footer, text: safe(embed.footer.text, EMBED_MAX.footer) } } : {}),
    ...(embed.author ? { author: { ...embed.author, name: safe(embed.author.name, EMBED_MAX.author) } } : {}),
    ...(embed.fields
      ? {
          fields: embed.fields.map((f) => ({
            ...f,
            name: safe(f.name, EMBED_MAX.fieldName),
            value: safe(f.value, EMBED_MAX.fieldValue),
          })),
        }
      : {}),
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function quote(text: string, max: number): string {
  return escapeMarkdown(truncate(oneLine(text), max));
}

/** Backticks would end an inline code span early. */
function codeSafe(text: string): string {
  return text.replace(/`/g, "'");
}
