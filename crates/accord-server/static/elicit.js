// Shows each slider's value next to it as it moves.
document.addEventListener("input", (event) => {
  const input = event.target;
  if (input instanceof HTMLInputElement && input.dataset.output) {
    const output = document.getElementById(input.dataset.output);
    if (output) output.textContent = input.value;
  }
});
