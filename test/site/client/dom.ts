type Child = Node | string | null | undefined | false;

/** Creates an element with attributes and children. Text children become text nodes, never HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child) {
      element.append(child);
    }
  }
  return element;
}

/** Creates a `div[role=button]` that is reachable with Tab, like the real app's controls. */
export function roleButton(attributes: Record<string, string>, ...children: Child[]): HTMLDivElement {
  return el('div', { role: 'button', tabindex: '0', ...attributes }, ...children);
}

export function isDisabled(element: Element): boolean {
  return element.getAttribute('aria-disabled') === 'true';
}
