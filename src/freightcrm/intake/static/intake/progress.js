// A progress bar fed by a JSON status (imports, exports): a box marked data-progress, with
// data-status-url (polled every second) and data-done-url (opened when the status says finished).
// Elements inside marked data-field="name" show the status's value of that name.
(function () {
  const number = new Intl.NumberFormat();
  function follow(box) {
    const bar = box.querySelector("[role=progressbar]");
    async function poll() {
      let status;
      try {
        const response = await fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"});
        if (!response.ok) throw new Error(response.status);
        status = await response.json();
      } catch (error) { setTimeout(poll, 3000); return; }
      bar.querySelector("i").style.width = status.percent + "%";
      bar.setAttribute("aria-valuenow", status.percent);
      for (const field of box.querySelectorAll("[data-field]")) {
        const value = status[field.dataset.field];
        field.textContent = typeof value === "number" ? number.format(value) : value;
      }
      if (status.finished) { window.location.assign(box.dataset.doneUrl); return; }
      setTimeout(poll, 1000);
    }
    setTimeout(poll, 500);
  }
  document.querySelectorAll("[data-progress]").forEach(follow);
})();
