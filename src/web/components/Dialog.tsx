import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal built on the native <dialog>: showModal() makes the rest of the page inert (focus
 * stays inside) and Escape closes it. Content mounts only while open, so forms start fresh.
 * The first element marked data-autofocus gets focus when it opens.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  wide = false,
  side = false,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  wide?: boolean;
  /** A full-height panel on the right (a drawer) instead of a centred box. */
  side?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
      return () => {
        // Give focus back to whatever opened the dialog.
        if (opener?.isConnected) opener.focus();
      };
    }
    if (!open && dialog.open) dialog.close();
    return undefined;
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={(event) => {
        // React bubbles synthetic events through the component tree: ignore a nested dialog closing.
        if (event.target === event.currentTarget) onCloseRef.current();
      }}
      className={
        side
          ? 'my-0 mr-0 ml-auto h-dvh max-h-dvh w-full max-w-2xl border-l border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl'
          : `m-auto w-[calc(100%-2rem)] rounded-lg border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl ${wide ? 'max-w-2xl' : 'max-w-lg'}`
      }
    >
      {open ? (
        <div className={`flex flex-col ${side ? 'h-full' : 'max-h-[85vh]'}`}>
          <div className="flex items-start justify-between gap-4 border-b border-zinc-200 px-5 py-4">
            <div>
              <h2 id={titleId} className="text-base font-semibold">
                {title}
              </h2>
              {description ? <div className="mt-0.5 text-sm text-zinc-600">{description}</div> : null}
            </div>
            <button type="button" onClick={() => ref.current?.close()} className="-mr-1 rounded p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800" aria-label="Close">
              <svg aria-hidden="true" viewBox="0 0 20 20" className="size-5" fill="currentColor">
                <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
              </svg>
            </button>
          </div>
          <div className="overflow-y-auto px-5 py-4">{children}</div>
        </div>
      ) : null}
    </dialog>
  );
}
