/**
 * useDropzone: the behaviour of a drop target and a file picker, with no markup or styles of its
 * own: spread `rootProps` on any element and `inputProps` on an `<input>` inside it.
 */
import { useRef, useState, type DragEvent, type HTMLAttributes, type InputHTMLAttributes, type RefObject } from 'react';

/** Options of {@link useDropzone}. */
export interface DropzoneOptions {
  /** Lets the picker choose several files. Default true (a drop always gives every file dropped). */
  multiple?: boolean | undefined;
  /** The picker's `accept`, e.g. `image/*,.pdf`: a hint to the picker only (the handler's rules decide). */
  accept?: string | undefined;
}

/** What {@link useDropzone} returns. */
export interface Dropzone {
  /** True while files are dragged over the target: for its style. */
  dragging: boolean;
  /** Opens the file picker. */
  open(): void;
  /** For the drop target: drop handlers, and a click, Enter or Space opens the picker (`role="button"`, focusable). */
  rootProps: HTMLAttributes<HTMLElement>;
  /** For a hidden `<input>` inside the target. */
  inputProps: DropzoneInputProps;
}

/** The props of {@link useDropzone}'s file input: hidden, with its ref (the hook opens it). */
export interface DropzoneInputProps extends InputHTMLAttributes<HTMLInputElement> {
  /** The hook's ref to the input: `open()` clicks it. */
  ref: RefObject<HTMLInputElement | null>;
}

/**
 * A headless drop target and file picker: files dropped on the target, or chosen in the picker,
 * go to `onFiles` (`upload` of {@link useUpload}, say). No styles, no markup:
 * `<div {...rootProps} className={dragging ? 'over' : ''}><input {...inputProps} />Drop files</div>`.
 */
export function useDropzone(onFiles: (files: File[]) => void, options: DropzoneOptions = {}): Dropzone {
  const input = useRef<HTMLInputElement | null>(null);
  const [dragging, setDragging] = useState(false);
  const open = () => input.current?.click();
  const over = (e: DragEvent, now: boolean) => {
    e.preventDefault();
    setDragging(now);
  };
  return {
    dragging,
    open,
    rootProps: {
      role: 'button',
      tabIndex: 0,
      onClick: open,
      onKeyDown: (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), open()),
      onDragOver: (e) => over(e, true),
      // Leaving for a child of the target is still over it.
      onDragLeave: (e) => e.currentTarget.contains(e.relatedTarget as Node | null) || over(e, false),
      onDrop: (e) => {
        over(e, false);
        if (e.dataTransfer.files.length) onFiles(Array.from(e.dataTransfer.files));
      },
    },
    inputProps: {
      ref: input,
      type: 'file',
      hidden: true,
      multiple: options.multiple ?? true,
      accept: options.accept,
      // The input's own click would reach the target's and open the picker twice.
      onClick: (e) => e.stopPropagation(),
      onChange: (e) => {
        const files = Array.from(e.currentTarget.files ?? []);
        // Emptied, so that choosing the same file again (to resume it) is a change too.
        e.currentTarget.value = '';
        if (files.length) onFiles(files);
      },
    },
  };
}
