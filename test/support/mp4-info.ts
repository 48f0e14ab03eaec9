/**
 * Reads an MP4's video size, duration and tracks with mp4box (a real MP4 parser), for assertions.
 */
import { createFile, type MP4BoxBuffer } from 'mp4box';

export interface Mp4Info {
  width: number;
  height: number;
  durationS: number;
  hasAudio: boolean;
  videoCodec: string;
}

export function readMp4Info(bytes: Uint8Array): Promise<Mp4Info> {
  return new Promise((resolve, reject) => {
    const file = createFile();
    file.onError = (e: unknown) => reject(new Error(String(e)));
    file.onReady = (info) => {
      const video = info.videoTracks[0];
      if (!video) return reject(new Error('no video track'));
      resolve({
        width: video.video?.width ?? video.track_width,
        height: video.video?.height ?? video.track_height,
        durationS: info.duration / info.timescale,
        hasAudio: info.audioTracks.length > 0,
        videoCodec: video.codec,
      });
    };
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as MP4BoxBuffer;
    buffer.fileStart = 0;
    file.appendBuffer(buffer);
    file.flush();
  });
}
