import { render } from 'preact';
import { App } from './app.js';
import { interceptLinks } from './router.js';
import { takeTokenFromFragment } from './session.js';
import './styles.css';
import { applyTheme } from './theme.js';

takeTokenFromFragment();
applyTheme();
const root = document.getElementById('app')!;
interceptLinks(root);
render(<App />, root);
