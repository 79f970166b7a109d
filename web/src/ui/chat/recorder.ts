/** Records a voice note from the microphone with MediaRecorder. */
export interface Recording {
  stop(): Promise<{ blob: Blob; durationMs: number; mime: string }>;
  cancel(): void;
}

// MP4 first: its track list marks audio explicitly, so the server can tell a voice note from a video.
const TYPES = ['audio/mp4', 'audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/webm'];

export function canRecord(): boolean {
  return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
}

export async function startRecording(): Promise<Recording> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const mime = TYPES.find((t) => MediaRecorder.isTypeSupported(t)) ?? '';
  const rec = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
  const chunks: Blob[] = [];
  const started = performance.now();
  rec.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  rec.start(250);
  const release = () => stream.getTracks().forEach((t) => t.stop());
  return {
    stop: () =>
      new Promise((resolve) => {
        rec.onstop = () => {
          release();
          const type = (rec.mimeType || mime || 'audio/webm').split(';')[0]!;
          resolve({
            blob: new Blob(chunks, { type }),
            durationMs: Math.round(performance.now() - started),
            mime: type,
          });
        };
        rec.stop();
      }),
    cancel() {
      rec.onstop = null;
      if (rec.state !== 'inactive') rec.stop();
      release();
    },
  };
}
