/**
 * A poster frame for a video, grabbed in the browser (the server decodes no video): the file
 * plays muted in a detached <video>, seeks a little in, and the frame is drawn on a canvas.
 * Resolves undefined when the browser cannot decode it; the video is then sent without one.
 */
export function grabPoster(file: Blob, timeoutMs = 8000): Promise<Blob | undefined> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const video = document.createElement('video');
    let settled = false;
    const done = (b: Blob | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      video.removeAttribute('src');
      video.load();
      URL.revokeObjectURL(url);
      resolve(b);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    video.muted = true;
    video.playsInline = true;
    video.preload = 'auto';
    video.onerror = () => done(undefined);
    video.onloadeddata = () => {
      // A tenth of a second in, or the middle of a very short clip, avoids a black first frame.
      const d = Number.isFinite(video.duration) ? video.duration : 0;
      video.currentTime = Math.min(0.1, d / 2);
    };
    video.onseeked = () => {
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (!w || !h) return done(undefined);
      const canvas = document.createElement('canvas');
      const scale = Math.min(1, 640 / Math.max(w, h));
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      const g = canvas.getContext('2d');
      if (!g) return done(undefined);
      g.drawImage(video, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((b) => done(b ?? undefined), 'image/jpeg', 0.85);
    };
    video.src = url;
  });
}
