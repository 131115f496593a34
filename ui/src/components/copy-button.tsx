import { useState } from 'preact/hooks';

/** Copies `text` to the clipboard and says so; where the clipboard is refused, says that. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="button" onClick={() => void copy()}>
        {label}
      </button>
      <span class="copy-state" role="status" aria-live="polite">
        {state === 'copied' ? 'Copied to the clipboard' : state === 'failed' ? 'The browser refused the clipboard: select the text and copy it' : ''}
      </span>
    </span>
  );
}
