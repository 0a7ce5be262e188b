/**
 * The patron chat widget: a custom element any library page can embed with
 * <script src="https://your-branchline/widget.js" defer></script><branchline-chat desk="ask"></branchline-chat>.
 * This build registers the element; the live chat behaviour arrives with the chat channel.
 */
export class BranchlineChat extends HTMLElement {
  connectedCallback(): void {
    this.setAttribute('data-branchline', 'ready');
  }
}

if (!customElements.get('branchline-chat')) customElements.define('branchline-chat', BranchlineChat);
