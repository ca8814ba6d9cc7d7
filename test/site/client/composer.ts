import { registerPlainText } from '@lexical/plain-text';
import {
  $createParagraphNode,
  $getRoot,
  COMMAND_PRIORITY_HIGH,
  createEditor,
  KEY_ENTER_COMMAND,
} from 'lexical';
import type { PostJson, SubmitRequestJson, SubmitResultJson } from '../post-json.js';
import { postJson } from './api.js';
import { el, isDisabled, roleButton } from './dom.js';
import { showBlockedNotice, showPostedToast } from './notices.js';

const MAX_TEXT_LENGTH = 500;
const MAX_MEDIA_ITEMS = 20;
const EDITOR_LABEL = 'Empty text field. Type to compose a new post.';

/** The post a reply composer replies to. */
export interface ReplyTarget {
  code: string;
  username: string;
}

interface Preview {
  file: File;
  element: HTMLElement;
  state: 'loading' | 'ready' | 'error';
  width: number;
  height: number;
}

let openDialog: HTMLElement | null = null;

/**
 * Opens the composer dialog with a Lexical plain-text editor. The text sent is the editor state's
 * text, so only input that goes through the editor (typing, paste) reaches the post.
 * At most one composer is open at a time: opening again focuses the open one.
 */
export function openComposer(
  target: ReplyTarget | null,
  onPosted: (post: PostJson, target: ReplyTarget | null) => void,
): void {
  if (openDialog) {
    openDialog.querySelector<HTMLElement>('[data-lexical-editor]')?.focus();
    return;
  }

  const editorElement = el('div', {
    class: 'editor',
    contenteditable: 'true',
    role: 'textbox',
    spellcheck: 'true',
    'aria-multiline': 'true',
    'aria-label': EDITOR_LABEL,
    'aria-placeholder': target ? `Reply to ${target.username}...` : 'Start a thread...',
  });
  const placeholder = el(
    'div',
    { class: 'placeholder', 'aria-hidden': 'true' },
    target ? `Reply to ${target.username}...` : 'Start a thread...',
  );
  const fileInput = el('input', {
    type: 'file',
    accept: 'image/*,video/*',
    multiple: '',
    'aria-label': 'Attach media',
  });
  const previewList = el('div', { class: 'previews', 'data-previews': '' });
  const errorText = el('div', { role: 'alert', class: 'error', 'data-composer-error': '' });
  const counter = el('span', { class: 'counter', 'aria-live': 'polite' });
  const progress = el('div', { role: 'progressbar', 'aria-label': 'Posting', hidden: '' }, 'Posting…');
  const cancelButton = roleButton({ 'aria-label': 'Cancel' }, 'Cancel');
  const postButton = roleButton(
    { class: 'pill', 'aria-disabled': 'true', 'data-composer-submit': '' },
    'Post',
  );
  const titleId = `composer-title-${Date.now()}`;

  const dialog = el(
    'div',
    { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
    el(
      'div',
      { class: 'dialog-header' },
      cancelButton,
      el('h1', { id: titleId }, target ? 'Reply' : 'New thread'),
      el('span'),
    ),
    target && el('p', { class: 'reply-to' }, `Replying to @${target.username}`),
    el('div', { class: 'editor-wrap' }, editorElement, placeholder),
    el('label', { class: 'attach' }, 'Add media ', fileInput),
    previewList,
    errorText,
    progress,
    el('div', { class: 'dialog-footer' }, el('span', {}, 'Anyone can reply'), counter, postButton),
  );
  const overlay = el('div', { class: 'overlay', 'data-composer-overlay': '' }, dialog);

  const previews: Preview[] = [];
  let text = '';
  let submitting = false;

  const editor = createEditor({
    namespace: 'composer',
    onError: (error) => console.error('Composer editor error', error),
  });
  editor.setRootElement(editorElement);
  const unregister = [registerPlainText(editor)];
  editor.update(() => {
    const root = $getRoot();
    if (root.getFirstChild() === null) {
      root.append($createParagraphNode());
    }
  });

  const refresh = () => {
    const length = [...text].length;
    placeholder.hidden = text !== '';
    counter.textContent = length > MAX_TEXT_LENGTH - 50 ? String(MAX_TEXT_LENGTH - length) : '';
    const loading = previews.some((preview) => preview.state === 'loading');
    const empty = text.trim() === '' && previews.length === 0;
    const disabled = submitting || empty || loading || length > MAX_TEXT_LENGTH;
    postButton.setAttribute('aria-disabled', String(disabled));
  };

  const close = () => {
    for (const dispose of unregister) {
      dispose();
    }
    editor.setRootElement(null);
    for (const preview of previews) {
      const media = preview.element.querySelector<HTMLImageElement | HTMLVideoElement>('img, video');
      if (media) {
        URL.revokeObjectURL(media.src);
      }
    }
    overlay.remove();
    document.removeEventListener('keydown', onDocumentKeydown);
    openDialog = null;
  };

  const submit = async () => {
    if (submitting || isDisabled(postButton)) {
      return;
    }
    submitting = true;
    editor.setEditable(false);
    errorText.textContent = '';
    progress.hidden = false;
    dialog.setAttribute('aria-busy', 'true');
    refresh();

    try {
      const request: SubmitRequestJson = {
        text,
        replyTo: target?.code ?? null,
        media: await Promise.all(previews.map(encodePreview)),
      };
      const result = await postJson<SubmitResultJson>('/api/post', request);
      if (result.ok) {
        close();
        if (result.body.show_toast) {
          showPostedToast(result.body.permalink);
        }
        onPosted(result.body.post, target);
        return;
      }
      if (result.body?.feedback_message) {
        showBlockedNotice(result.body.feedback_title ?? 'Try Again Later', result.body.feedback_message);
      } else {
        errorText.textContent =
          result.status === 401 ? 'Log in to post.' : 'Post failed to upload. Try again.';
      }
    } catch (error) {
      console.error('Composer submit failed', error);
      errorText.textContent = 'Post failed to upload. Check your connection and try again.';
    }

    submitting = false;
    editor.setEditable(true);
    progress.hidden = true;
    dialog.removeAttribute('aria-busy');
    refresh();
  };

  function onDocumentKeydown(event: KeyboardEvent) {
    if (event.key === 'Escape' && !submitting && !document.querySelector('[data-blocked-notice]')) {
      close();
    }
  }

  editor.registerUpdateListener(({ editorState }) => {
    text = editorState.read(() => $getRoot().getTextContent());
    refresh();
  });
  unregister.push(
    // Ctrl+Enter or Cmd+Enter submits like a click, through the same guard against a second submit.
    editor.registerCommand(
      KEY_ENTER_COMMAND,
      (event) => {
        if (event && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          void submit();
          return true;
        }
        return false;
      },
      COMMAND_PRIORITY_HIGH,
    ),
  );

  fileInput.addEventListener('change', () => {
    const files = [...(fileInput.files ?? [])];
    fileInput.value = '';
    if (previews.length + files.length > MAX_MEDIA_ITEMS) {
      errorText.textContent = `You can add up to ${MAX_MEDIA_ITEMS} photos and videos.`;
      return;
    }
    for (const file of files) {
      previews.push(createPreview(file, previewList, refresh));
    }
    refresh();
  });
  postButton.addEventListener('click', () => void submit());
  cancelButton.addEventListener('click', () => {
    if (!submitting) {
      close();
    }
  });
  document.addEventListener('keydown', onDocumentKeydown);

  document.body.append(overlay);
  openDialog = dialog;
  refresh();
  editor.focus();
}

/** Renders a preview of a chosen file; `data-preview-state` turns `ready` once it has decoded. */
function createPreview(file: File, list: HTMLElement, onChange: () => void): Preview {
  const url = URL.createObjectURL(file);
  const isVideo = file.type.startsWith('video/');
  const element = el('div', { class: 'preview', 'data-media-preview': '', 'data-preview-state': 'loading' });
  const preview: Preview = { file, element, state: 'loading', width: 0, height: 0 };

  const settle = (state: 'ready' | 'error', width: number, height: number) => {
    Object.assign(preview, { state, width, height });
    element.dataset.previewState = state;
    onChange();
  };
  if (isVideo) {
    const video = el('video', { muted: '', preload: 'metadata' });
    video.addEventListener('loadedmetadata', () => settle('ready', video.videoWidth, video.videoHeight));
    video.addEventListener('error', () => settle('error', 0, 0));
    video.src = url;
    element.append(video);
  } else {
    const image = el('img', { alt: file.name });
    image.addEventListener('load', () => settle('ready', image.naturalWidth, image.naturalHeight));
    image.addEventListener('error', () => settle('error', 0, 0));
    image.src = url;
    element.append(image);
  }
  list.append(element);
  return preview;
}

async function encodePreview(preview: Preview): Promise<SubmitRequestJson['media'][number]> {
  const bytes = new Uint8Array(await preview.file.arrayBuffer());
  let binary = '';
  const chunkSize = 0x8000;
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + chunkSize));
  }
  return {
    name: preview.file.name,
    type: preview.file.type,
    size: preview.file.size,
    width: preview.width,
    height: preview.height,
    data: btoa(binary),
  };
}
