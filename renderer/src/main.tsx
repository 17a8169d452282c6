import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { installTheme } from './app/theme';
import { registerServiceWorker } from './pwa/register';
import './styles/app.css';

installTheme();
registerServiceWorker();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
