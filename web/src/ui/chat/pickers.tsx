import { STICKERS } from './content.js';

const EMOJI =
  '😀 😁 😂 🤣 😊 😍 😘 😎 🤔 😅 😉 🙂 🙃 😴 😭 😡 😱 🥳 🤗 🙏 👍 👎 👏 🙌 💪 👋 ✌️ 👌 ❤️ 🧡 💛 💚 💙 💜 🔥 ✨ 🎉 🎂 ☕ 🍕 🍺 🌟 ⭐ ☀️ 🌙 🌈 ⚡ ✅ ❌ 💯 🚀 🎵 📷 💡 📌 🏆'.split(
    ' ',
  );

export function EmojiPicker({ onPick }: { onPick: (e: string) => void }) {
  return (
    <div class="picker emoji-picker" role="dialog" aria-label="Emoji">
      {EMOJI.map((e) => (
        <button key={e} type="button" class="emoji" onClick={() => onPick(e)} aria-label={`Emoji ${e}`}>
          {e}
        </button>
      ))}
    </div>
  );
}

export function StickerPicker({ onPick }: { onPick: (id: string) => void }) {
  return (
    <div class="picker sticker-picker" role="dialog" aria-label="Stickers">
      {STICKERS.map((s) => (
        <button key={s} type="button" class="sticker" onClick={() => onPick(s)} aria-label={`Sticker ${s}`}>
          <img src={`/stickers/${s}.svg`} alt="" width={64} height={64} />
        </button>
      ))}
    </div>
  );
}
