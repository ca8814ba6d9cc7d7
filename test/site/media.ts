import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

const MAX_SIDE = 2048;

/** An image or video the site serves under `/media/`. */
export interface MediaFile {
  contentType: string;
  body: Buffer;
}

/**
 * Serves generated images and uploaded files, so no page ever loads media from another host.
 * Generated images are solid PNGs whose colour comes from their name.
 */
export class MediaLibrary {
  private readonly generated = new Map<string, Buffer>();
  private readonly uploads = new Map<string, MediaFile>();
  private nextUploadId = 1;

  /** Returns the file for a path under `/media/`, or undefined when there is none. */
  find(pathname: string): MediaFile | undefined {
    const image = /^\/media\/img\/([^/]+)-(\d{1,4})x(\d{1,4})\.png$/.exec(pathname);
    if (image) {
      return this.generatedPng(decodeURIComponent(image[1]!), Number(image[2]), Number(image[3]));
    }

    const avatar = /^\/media\/avatar\/([^/]+)\.png$/.exec(pathname);
    if (avatar) {
      return this.generatedPng(`avatar-${decodeURIComponent(avatar[1]!)}`, 96, 96);
    }

    // NOTE: the video files hold no playable stream. Pages render videos with preload="none", so a
    // browser requests one only when a test plays it.
    if (/^\/media\/video\/[\w-]+\.mp4$/.test(pathname)) {
      return { contentType: 'video/mp4', body: Buffer.alloc(0) };
    }

    const upload = /^\/media\/upload\/(\d+)$/.exec(pathname);
    if (upload) {
      return this.uploads.get(upload[1]!);
    }
    return undefined;
  }

  /** Stores an uploaded file and returns the path it is served at. */
  addUpload(file: MediaFile): string {
    const id = String(this.nextUploadId++);
    this.uploads.set(id, file);
    return `/media/upload/${id}`;
  }

  clearUploads(): void {
    this.uploads.clear();
  }

  private generatedPng(seed: string, width: number, height: number): MediaFile | undefined {
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
      return undefined;
    }
    const key = `${seed}:${width}x${height}`;
    let body = this.generated.get(key);
    if (!body) {
      const colour = createHash('sha256').update(seed).digest().subarray(0, 3);
      body = encodeSolidPng(width, height, colour);
      this.generated.set(key, body);
    }
    return { contentType: 'image/png', body };
  }
}

/** Encodes a PNG of one RGB colour, 8 bits per channel. */
function encodeSolidPng(width: number, height: number, rgb: Uint8Array): Buffer {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) {
    row.set(rgb, 1 + x * 3);
  }
  const raw = Buffer.concat(Array.from({ length: height }, () => row));

  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour

  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, checksum]);
}
