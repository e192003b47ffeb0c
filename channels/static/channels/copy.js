// The WeChat page's copy buttons: the rendered article as rich text (so WeChat's editor keeps
// its formatting), or its HTML source as plain text.
document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("wechat-copy-status");
  for (const button of document.querySelectorAll("[data-target]")) {
    button.addEventListener("click", async () => {
      const target = document.getElementById(button.dataset.target);
      const source = document.getElementById("wechat-source").value;
      try {
        if (target.tagName === "TEXTAREA") {
          await navigator.clipboard.writeText(source);
        } else {
          const html = new Blob([source], { type: "text/html" });
          const text = new Blob([target.innerText], { type: "text/plain" });
          await navigator.clipboard.write([new ClipboardItem({ "text/html": html, "text/plain": text })]);
        }
      } catch (error) {
        // Without the clipboard API (plain http): select the element and copy the selection.
        const range = document.createRange();
        range.selectNodeContents(target);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        document.execCommand("copy");
      }
      status.textContent = button.dataset.done;
    });
  }
});
