/** The text `sora-bot help` prints. */
import { DEFAULT_EMULATOR_PORT } from './emulator-command.js';

export const USAGE = `Usage: sora-bot <command> [options]

Commands:
  start                          run the bot (Slack, Discord or the local playground, from the environment)
  doctor                         check the configuration and the video provider; print each problem and its fix
  discord register [--guild ID]  register the Discord slash commands (one server: instant) and print the invite link
  discord register --clear [--guild ID]
                                 remove the bot's Discord commands (everywhere, or from one server)
  emulator [--port N] [--host ADDR] [--render-ms N]
                                 run the local Sora emulator alone (default port ${DEFAULT_EMULATOR_PORT})
  video create --prompt TEXT [--seconds S] [--size WxH] [--model M] [--image FILE [--fit cover|contain]]
               [--wait] [--out FILE] [--json]
  video get ID [--json]
  video list [--limit N] [--json]
  video download ID [--variant video|thumbnail|spritesheet] --out FILE
  video remix ID --prompt TEXT [--wait] [--out FILE] [--json]
  video delete ID [--json]
  video cancel ID [--json]       stop a video that is still queued or rendering (a finished one is kept)
  usage [month|day|YYYY-MM] [--workspace PLATFORM:ID]
                                 what a workspace spent in the period (default: this month, the playground's
                                 workspace), from the bot's store; reads beside a running bot
  help                           this text
  --version                      the version of sora-bot

--wait polls until the video is ready; --out FILE also saves the MP4 (and implies --wait).
--image without --size: the image's shape decides portrait or landscape; an image of another pixel size
than the video's is fitted to it (--fit cover: fill and crop, the default; contain: whole, with bars).
The prompt is one argument, taken as it is (quote it; line breaks stay).
video create prints its estimated cost (SORA_PRICES over the published prices) on stderr before sending.
The provider comes from SORA_PROVIDER (azure, openai, emulator); without any key the commands run on an
embedded emulator. Settings are read from the environment and from .env in the working directory.

Exit codes: 0 success, 1 the provider or the job failed, 2 bad usage or configuration, 130 interrupted.`;
