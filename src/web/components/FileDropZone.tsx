import { useId, useState, type DragEvent } from 'react';
import { formatCount } from '../lib/inventory.ts';

type Props = {
  /** What the file should be, under the "Drop a CSV file here" line (format, size limit). */
  hint: string;
  file: File | null;
  disabled?: boolean;
  onFile: (file: File) => void;
};

/** A CSV file dropped here or chosen with the file button; the chosen file is named under it. */
export function FileDropZone({ hint, file, disabled = false, onFile }: Props) {
  const inputId = useId();
  const [dragging, setDragging] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped && !disabled) onFile(dropped);
  };
  return (
    <div
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        // Moving over the zone's own children is not leaving it.
        if (!(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget))) setDragging(false);
      }}
      onDrop={onDrop}
      data-testid="drop-zone"
      className={`rounded-lg border-2 border-dashed px-6 py-8 text-center transition-colors ${dragging ? 'border-blue-500 bg-blue-50' : 'border-zinc-300 bg-zinc-50'}`}
    >
      <p className="text-sm font-medium text-zinc-900">Drop a CSV file here, or choose one</p>
      <p className="mt-1 text-xs text-zinc-600">{hint}</p>
      <div className="mt-4 flex justify-center">
        <label htmlFor={inputId} className="sr-only">
          CSV file
        </label>
        <input
          id={inputId}
          type="file"
          accept=".csv,text/csv"
          disabled={disabled}
          onChange={(e) => {
            const chosen = e.target.files?.[0];
            // Cleared at once, so choosing the same file again (after fixing it) is seen as a new choice.
            e.target.value = '';
            if (chosen) onFile(chosen);
          }}
          className="block text-sm text-zinc-700 file:mr-3 file:rounded-md file:border file:border-zinc-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-zinc-800 hover:file:bg-zinc-50"
        />
      </div>
      {file ? (
        <p className="mt-3 text-sm text-zinc-700">
          <span className="font-medium">{file.name}</span> · {formatCount(Math.ceil(file.size / 1024))} KB
        </p>
      ) : null}
    </div>
  );
}
