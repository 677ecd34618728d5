// Marks the current page in the nav and shows a busy state on buttons.
document.addEventListener('DOMContentLoaded', () => {
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === location.pathname) a.classList.add('current');
  }
  for (const b of document.querySelectorAll('.btn-old')) {
    b.addEventListener('click', () => b.classList.add('busy'));
  }
});
