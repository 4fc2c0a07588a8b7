import { postsScenario } from './testing/posts-scenario';

postsScenario('embedded');
